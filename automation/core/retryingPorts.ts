/**
 * Ports whose calls retry transient failures in place (ARM throttling and 5xx: the request was
 * not applied, or applying it again is harmless because every port call is idempotent). Only a
 * failure that persists through these retries reaches the driver's per-host retry policy, so a
 * burst of 429s never costs a host one of its bounded attempts.
 *
 * Not wrapped: `stack.up` (its failures are attributed per host by the driver) and
 * `writeRecord` (a 5xx may have applied it: the record store re-reads and decides).
 */
import { isTransient } from "./errors";
import type { Clock, ComputePort, HostPoolPort, Ports, StackPort } from "./ports";

export interface InPlaceRetryPolicy {
  /** Tries per call, the first included. */
  tries: number;
  /** Delay before the second try; doubles per try. */
  firstDelayMs: number;
}

export const DEFAULT_IN_PLACE_RETRY: InPlaceRetryPolicy = { tries: 5, firstDelayMs: 5_000 };

export async function retryTransient<T>(
  clock: Clock,
  policy: InPlaceRetryPolicy,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.tries) throw error;
      await clock.sleep(policy.firstDelayMs * 2 ** (attempt - 1));
    }
  }
}

export function withTransientRetries(
  ports: Ports,
  policy: InPlaceRetryPolicy = DEFAULT_IN_PLACE_RETRY,
): Ports {
  const { clock } = ports;
  const r = <T>(call: () => Promise<T>): Promise<T> => retryTransient(clock, policy, call);
  const hp = ports.hostPool;
  const hostPool: HostPoolPort = {
    getHostPoolInfo: () => r(() => hp.getHostPoolInfo()),
    listSessionHosts: () => r(() => hp.listSessionHosts()),
    listUserSessions: (name) => r(() => hp.listUserSessions(name)),
    sendMessage: (name, id, title, body) => r(() => hp.sendMessage(name, id, title, body)),
    signOut: (name, id) => r(() => hp.signOut(name, id)),
    setDrainMode: (name, drain) => r(() => hp.setDrainMode(name, drain)),
    removeSessionHost: (name) => r(() => hp.removeSessionHost(name)),
    ensureRegistrationToken: (minutes) => r(() => hp.ensureRegistrationToken(minutes)),
    readRecord: () => r(() => hp.readRecord()),
    writeRecord: (record, etag) => hp.writeRecord(record, etag),
  };
  const c = ports.compute;
  const compute: ComputePort = {
    getPowerState: (id) => r(() => c.getPowerState(id)),
    deallocate: (id) => r(() => c.deallocate(id)),
    start: (id) => r(() => c.start(id)),
    deleteVm: (id) => r(() => c.deleteVm(id)),
  };
  const s = ports.stack;
  const stack: StackPort = {
    readDeployedHosts: () => r(() => s.readDeployedHosts()),
    readDesired: () => r(() => s.readDesired()),
    preview: (batch) => r(() => s.preview(batch)),
    up: (batch) => s.up(batch),
  };
  return { hostPool, compute, stack, clock };
}
