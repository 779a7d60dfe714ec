/**
 * Ports whose every call keeps the virtual clock still while it is in flight: an adapter call
 * is real HTTP (and real LRO polling), which the clock cannot see, so without the hold virtual
 * time would race ahead while the request is on the wire.
 */
import type { ComputePort, HostPoolPort } from "../../../automation/core/ports";
import type { VirtualClock } from "../../../automation/sim/virtualClock";

export function heldHostPool(port: HostPoolPort, clock: VirtualClock): HostPoolPort {
  return {
    getHostPoolInfo: () => clock.hold(port.getHostPoolInfo()),
    listSessionHosts: () => clock.hold(port.listSessionHosts()),
    listUserSessions: (sessionHostName) => clock.hold(port.listUserSessions(sessionHostName)),
    sendMessage: (sessionHostName, sessionId, title, body) =>
      clock.hold(port.sendMessage(sessionHostName, sessionId, title, body)),
    signOut: (sessionHostName, sessionId) => clock.hold(port.signOut(sessionHostName, sessionId)),
    setDrainMode: (sessionHostName, drain) => clock.hold(port.setDrainMode(sessionHostName, drain)),
    removeSessionHost: (sessionHostName) => clock.hold(port.removeSessionHost(sessionHostName)),
    ensureRegistrationToken: (validForMinutes) => clock.hold(port.ensureRegistrationToken(validForMinutes)),
    readRecord: () => clock.hold(port.readRecord()),
    writeRecord: (record, expectedEtag) => clock.hold(port.writeRecord(record, expectedEtag)),
  };
}

export function heldCompute(port: ComputePort, clock: VirtualClock): ComputePort {
  return {
    getPowerState: (id) => clock.hold(port.getPowerState(id)),
    deallocate: (id) => clock.hold(port.deallocate(id)),
    start: (id) => clock.hold(port.start(id)),
    deleteVm: (id) => clock.hold(port.deleteVm(id)),
  };
}
