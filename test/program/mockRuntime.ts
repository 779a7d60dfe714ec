/**
 * The Pulumi mock runtime for program tests, with every RegisterResourceRequest captured as the
 * engine would receive it.
 *
 * The mock runtime is process-global: call {@link installMockRuntime} in a describe's beforeAll,
 * import the program after it, and keep one test file per process (vitest forks).
 */
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";

/** The registration token the mocked invoke returns: tests assert it never leaks. */
export const MOCK_REGISTRATION_TOKEN = "eyJhbGciOiJSUzI1NiJ9.mock-registration-token-7f3a";

export interface CapturedRegistration {
  type: string;
  name: string;
  /** Inputs as the mocks see them. */
  inputs: Record<string, unknown>;
  /** The serialized inputs as sent to the engine: secrets appear as {@link isSerializedSecret} objects. */
  object: Record<string, unknown>;
  /** The full request, as plain data (secrets still wrapped in the serialized form). */
  request: RegisterResourceRequest.AsObject;
}

export interface CapturedInvoke {
  token: string;
  args: Record<string, unknown>;
}

export interface MockRuntime {
  registrations: CapturedRegistration[];
  invokes: CapturedInvoke[];
  /** What `pulumi:pulumi:readStackOutputs` answers: the stack's previous outputs (default none). */
  previousStackOutputs: Record<string, unknown>;
  /** A registration of this logical name fails at the monitor (an error the engine returns). */
  failRegistrationOf: string | undefined;
  /** Forgets what was captured (between variations in one process). */
  reset(): void;
  /** Waits until every registration and invoke issued so far has been answered. */
  settle(): Promise<void>;
}

interface MonitorWithRegister {
  registerResource(
    req: RegisterResourceRequest,
    callback: (err: unknown, response: unknown) => void,
  ): unknown;
}

interface SettingsInternals {
  waitForRPCs(): Promise<void>;
}

export interface MockRuntimeOptions {
  preview?: boolean;
  /** The id the mock engine gives a resource (default `/mock/<type>/<name>`). */
  idOf?: (type: string, name: string) => string;
}

export function installMockRuntime(options: MockRuntimeOptions = {}): MockRuntime {
  const idOf = options.idOf ?? ((type: string, name: string) => `/mock/${type}/${name}`);
  const registrations: CapturedRegistration[] = [];
  const invokes: CapturedInvoke[] = [];
  // The mock monitor calls newResource synchronously from registerResource: this is that request.
  let current: CapturedRegistration | undefined;
  const state = {
    previousStackOutputs: {} as Record<string, unknown>,
    failRegistrationOf: undefined as string | undefined,
  };
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.name === state.failRegistrationOf) {
          throw new Error(`mock engine: creating ${args.name} failed`);
        }
        if (current !== undefined && current.type === args.type && current.name === args.name) {
          current.inputs = args.inputs as Record<string, unknown>;
        }
        return { id: idOf(args.type, args.name), state: args.inputs };
      },
      call(args) {
        invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
        if (args.token === "azure-native:desktopvirtualization:getHostPoolRegistrationToken") {
          return { token: MOCK_REGISTRATION_TOKEN, expirationTime: "2026-12-01T00:00:00Z" };
        }
        if (args.token === "pulumi:pulumi:readStackOutputs") {
          return { name: args.inputs.name, outputs: state.previousStackOutputs, secretOutputNames: [] };
        }
        return {};
      },
    },
    "avd-rollout",
    "test",
    options.preview ?? false,
    // What the diy (file) backend reports as the organization.
    "organization",
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorWithRegister;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    current = {
      type: req.getType(),
      name: req.getName(),
      inputs: {},
      object: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      request: req.toObject(),
    };
    registrations.push(current);
    try {
      return register(req, callback);
    } finally {
      current = undefined;
    }
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal, not in the typings
  const settings = require("@pulumi/pulumi/runtime/settings") as SettingsInternals;
  return {
    registrations,
    invokes,
    get previousStackOutputs() {
      return state.previousStackOutputs;
    },
    set previousStackOutputs(outputs) {
      state.previousStackOutputs = outputs;
    },
    get failRegistrationOf() {
      return state.failRegistrationOf;
    },
    set failRegistrationOf(name) {
      state.failRegistrationOf = name;
    },
    reset() {
      registrations.length = 0;
      invokes.length = 0;
      state.previousStackOutputs = {};
      state.failRegistrationOf = undefined;
    },
    settle: () => settings.waitForRPCs(),
  };
}

/** Resolves an Output's value (undefined when unknown), with its secretness. */
export async function resolveOutput<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const value = await new Promise<T>((resolve) => output.apply((v) => resolve(v)));
  return { value, secret: await pulumi.isSecret(output) };
}

/** The wire form of a Pulumi secret (`4dabf181...` is the SDK's special signature key). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

export function isSerializedSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** The value with every serialized secret replaced by its plain value. */
export function revealSerialized(value: unknown): unknown {
  if (isSerializedSecret(value)) return revealSerialized(value.value);
  if (Array.isArray(value)) return value.map(revealSerialized);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSerialized(v)]));
  }
  return value;
}

/** The value with every serialized secret removed (what is not protected). */
export function withoutSecrets(value: unknown): unknown {
  if (isSerializedSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}
