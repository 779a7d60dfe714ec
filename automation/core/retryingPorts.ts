/**
 * Ports whose calls retry transient failures in place, within the call's one retry budget
 * (retryBudget.ts): ARM throttling, 5xx, resets. Only a failure that outlasts the budget reaches
 * the driver's per-host retry policy, so a burst of 429s never costs a host one of its bounded
 * attempts — and a message is never sent twice, whichever layer saw the failure.
 *
 * Wrapping is safe to nest: a wrapped call made inside another wrapped call's budget (the
 * driver's wrapper around the Azure adapters, which `createAzurePorts` already wraps) joins that
 * budget instead of opening a second one, so the limits never multiply.
 *
 * Which calls may be repeated is decided here, per port method (`CALLS` below). Not wrapped:
 * `stack.up` (its failures are attributed per host by the driver).
 */
import type { Clock, ComputePort, HostPoolPort, Ports, StackPort } from "./ports";
import {
  DEFAULT_RETRY_BUDGET,
  type Repeatability,
  RetryBudget,
  type RetryBudgetPolicy,
  activeBudget,
  failureFacts,
  runWithBudget,
} from "./retryBudget";

/** A retry budget policy; fields left out take {@link DEFAULT_RETRY_BUDGET}'s values. */
export type InPlaceRetryPolicy = Pick<RetryBudgetPolicy, "tries" | "firstDelayMs"> &
  Partial<RetryBudgetPolicy>;

export const DEFAULT_IN_PLACE_RETRY: RetryBudgetPolicy = DEFAULT_RETRY_BUDGET;

/**
 * Which port calls may be repeated after a failure whose outcome is unknown. A message shown to
 * a user must not be shown twice; a record write is repeated only when it certainly did not
 * apply (the adapter settles an ambiguous write itself before it answers).
 */
export const HOST_POOL_CALLS: Readonly<Record<keyof HostPoolPort, Repeatability>> = {
  getHostPoolInfo: "idempotent",
  listSessionHosts: "idempotent",
  listUserSessions: "idempotent",
  sendMessage: "atMostOnce",
  signOut: "idempotent",
  setDrainMode: "idempotent",
  removeSessionHost: "idempotent",
  ensureRegistrationToken: "idempotent",
  readRecord: "idempotent",
  writeRecord: "atMostOnce",
};

export const COMPUTE_CALLS: Readonly<Record<keyof ComputePort, Repeatability>> = {
  getPowerState: "idempotent",
  deallocate: "idempotent",
  start: "idempotent",
  deleteVm: "idempotent",
};

/**
 * Runs `call` within the active budget, or a new one of `repeatability` under `policy`; retries
 * it in place while the budget allows, sleeping on `clock`.
 */
export function retryTransient<T>(
  clock: Pick<Clock, "sleep">,
  policy: InPlaceRetryPolicy,
  call: () => Promise<T>,
  repeatability: Repeatability = "idempotent",
): Promise<T> {
  const budget = activeBudget() ?? new RetryBudget(repeatability, { ...DEFAULT_RETRY_BUDGET, ...policy });
  return runWithBudget(budget, async () => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const decision = budget.decide(failureFacts(error));
        if (!decision.retry) throw error;
        await clock.sleep(decision.delayMs);
      }
    }
  });
}

export function hostPoolWithRetries(
  port: HostPoolPort,
  clock: Pick<Clock, "sleep">,
  policy: InPlaceRetryPolicy = DEFAULT_IN_PLACE_RETRY,
): HostPoolPort {
  const r = <T>(method: keyof HostPoolPort, call: () => Promise<T>): Promise<T> =>
    retryTransient(clock, policy, call, HOST_POOL_CALLS[method]);
  return {
    getHostPoolInfo: () => r("getHostPoolInfo", () => port.getHostPoolInfo()),
    listSessionHosts: () => r("listSessionHosts", () => port.listSessionHosts()),
    listUserSessions: (name) => r("listUserSessions", () => port.listUserSessions(name)),
    sendMessage: (name, id, title, body) => r("sendMessage", () => port.sendMessage(name, id, title, body)),
    signOut: (name, id) => r("signOut", () => port.signOut(name, id)),
    setDrainMode: (name, drain) => r("setDrainMode", () => port.setDrainMode(name, drain)),
    removeSessionHost: (name) => r("removeSessionHost", () => port.removeSessionHost(name)),
    ensureRegistrationToken: (minutes) =>
      r("ensureRegistrationToken", () => port.ensureRegistrationToken(minutes)),
    readRecord: () => r("readRecord", () => port.readRecord()),
    writeRecord: (record, etag) => r("writeRecord", () => port.writeRecord(record, etag)),
  };
}

export function computeWithRetries(
  port: ComputePort,
  clock: Pick<Clock, "sleep">,
  policy: InPlaceRetryPolicy = DEFAULT_IN_PLACE_RETRY,
): ComputePort {
  const r = <T>(method: keyof ComputePort, call: () => Promise<T>): Promise<T> =>
    retryTransient(clock, policy, call, COMPUTE_CALLS[method]);
  return {
    getPowerState: (id) => r("getPowerState", () => port.getPowerState(id)),
    deallocate: (id) => r("deallocate", () => port.deallocate(id)),
    start: (id) => r("start", () => port.start(id)),
    deleteVm: (id) => r("deleteVm", () => port.deleteVm(id)),
  };
}

export function withTransientRetries(
  ports: Ports,
  policy: InPlaceRetryPolicy = DEFAULT_IN_PLACE_RETRY,
): Ports {
  const { clock } = ports;
  const r = <T>(call: () => Promise<T>): Promise<T> => retryTransient(clock, policy, call);
  const s = ports.stack;
  const stack: StackPort = {
    readDeployedHosts: () => r(() => s.readDeployedHosts()),
    readDesired: () => r(() => s.readDesired()),
    preview: (batch) => r(() => s.preview(batch)),
    up: (batch) => s.up(batch),
  };
  return {
    hostPool: hostPoolWithRetries(ports.hostPool, clock, policy),
    compute: computeWithRetries(ports.compute, clock, policy),
    stack,
    clock,
  };
}
