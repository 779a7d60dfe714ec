/**
 * The stack adapter with the azure-native provider's credentials refreshed before every operation
 * that runs the provider: the Automation API starts a `pulumi` process for each, and that process
 * inherits this one's environment (automation/azure/providerCredentials.ts). Every other member
 * of the adapter passes through untouched.
 */

/** Stack operations that run the azure-native provider (a new `pulumi` process each). */
export const PROVIDER_OPERATIONS: ReadonlySet<string> = new Set([
  "preview",
  "up",
  "pendingChanges",
  "cloudDrift",
]);

export function withProviderCredentials<T extends object>(
  stack: T,
  environment: () => Promise<Record<string, string>>,
  target: NodeJS.ProcessEnv = process.env,
): T {
  return new Proxy(stack, {
    get(object, property, receiver) {
      const member: unknown = Reflect.get(object, property, receiver);
      if (typeof member !== "function") return member;
      const call = member as (...args: unknown[]) => unknown;
      if (typeof property !== "string" || !PROVIDER_OPERATIONS.has(property)) return call.bind(object);
      return async (...args: unknown[]) => {
        Object.assign(target, await environment());
        return call.apply(object, args);
      };
    },
  });
}
