/**
 * The simulated adapters of the four ports (automation/core/ports.ts), one set per driver
 * generation, all backed by one SimulatedWorld. They are thin: each call checks the crash
 * generation, draws an injected transient ARM fault where the real call goes to ARM (host
 * pool and compute calls; the stack's Pulumi CLI retries ARM errors itself), then delegates
 * to the world's operation.
 */
import { PortError } from "../core/errors";
import type { Clock, ComputePort, HostPoolPort, Ports, StackPort, StoredRecord } from "../core/ports";
import { RecordConflictError } from "../core/ports";
import type { DriverGeneration } from "./crashes";
import type { SimulatedWorld } from "./world";

export { RECORD_TAG } from "./world";
/** Azure issues registration tokens for at least an hour. */
const MIN_TOKEN_MINUTES = 60;

export interface PortCallGate {
  /** Called before every port call; may crash the generation (see crashes.ts). */
  beforeCall(generation: DriverGeneration): void;
}

export function createSimulatedPorts(
  world: SimulatedWorld,
  generation: DriverGeneration,
  gate: PortCallGate,
): Ports {
  /** A call through this generation; `arm` calls may fail transiently. */
  const call = <T>(operation: string, arm: boolean, work: () => T | Promise<T>): Promise<T> =>
    generation.guard(async () => {
      gate.beforeCall(generation);
      // A crash at this call: the call is not applied, and guard() has already rejected.
      if (generation.crashed) return new Promise<T>(() => undefined);
      if (arm && world.transientFault()) {
        throw new PortError(
          "transient",
          operation,
          "429 TooManyRequests (simulated throttling)",
          "TooManyRequests",
        );
      }
      return work();
    });

  const hostPool: HostPoolPort = {
    getHostPoolInfo: () =>
      call("hostPool.getHostPoolInfo", true, () => ({
        maxSessionLimit: world.scenario.hostPool.maxSessionsPerHost,
        loadBalancerType: world.scenario.hostPool.loadBalancer,
      })),
    listSessionHosts: () => call("hostPool.listSessionHosts", true, () => world.sessionHosts()),
    listUserSessions: (sessionHostName) =>
      call(`hostPool.listUserSessions(${sessionHostName ?? "*"})`, true, () =>
        world.userSessions(sessionHostName),
      ),
    sendMessage: (sessionHostName, sessionId) =>
      call(`hostPool.sendMessage(${sessionHostName}/${sessionId})`, true, () =>
        world.sendMessage(sessionHostName, sessionId),
      ),
    signOut: (sessionHostName, sessionId) =>
      call(`hostPool.signOut(${sessionHostName}/${sessionId})`, true, () =>
        world.signOutSession(sessionHostName, sessionId),
      ),
    setDrainMode: (sessionHostName, drain) =>
      call(`hostPool.setDrainMode(${sessionHostName})`, true, () =>
        world.setAllowNewSession(sessionHostName, !drain),
      ),
    removeSessionHost: (sessionHostName) =>
      call(`hostPool.removeSessionHost(${sessionHostName})`, true, () =>
        world.removeSessionHost(sessionHostName),
      ),
    ensureRegistrationToken: (validForMinutes) =>
      call("hostPool.ensureRegistrationToken", true, () => {
        const now = world.clock.now();
        const current = world.registrationToken();
        if (current === null || current < now + validForMinutes * 60_000) {
          world.updateRegistrationToken(now + Math.max(validForMinutes, MIN_TOKEN_MINUTES) * 60_000);
        }
        return { expiresAt: new Date(world.registrationToken() ?? now).toISOString() };
      }),
    readRecord: () => call("hostPool.readRecord", true, (): StoredRecord => world.rolloutRecord()),
    writeRecord: (record, expectedEtag) =>
      call("hostPool.writeRecord", true, () => {
        const etag = world.writeRolloutRecord(record, expectedEtag);
        if (etag === null) throw new RecordConflictError();
        return etag;
      }),
  };

  const compute: ComputePort = {
    getPowerState: (id) =>
      call(`compute.getPowerState(${id})`, true, () => world.vm(id)?.powerState ?? ("notFound" as const)),
    deallocate: (id) => call(`compute.deallocate(${id})`, true, () => world.deallocateVm(id)),
    start: (id) => call(`compute.start(${id})`, true, () => world.startVm(id)),
    deleteVm: (id) => call(`compute.deleteVm(${id})`, true, () => world.deleteVm(id)),
  };

  const stack: StackPort = {
    readDeployedHosts: () => call("stack.readDeployedHosts", false, () => world.deployedHosts()),
    readDesired: () => call("stack.readDesired", false, () => world.desired()),
    preview: (batch) => call(`stack.preview(${batch.index})`, false, () => world.previewBatch(batch)),
    up: (batch) => call(`stack.up(${batch.index})`, false, () => world.upBatch(batch)),
  };

  const clock: Clock = {
    now: () => world.clock.now(),
    sleep: (ms) => generation.guard(() => world.clock.sleep(ms)),
  };

  return { hostPool, compute, stack, clock };
}
