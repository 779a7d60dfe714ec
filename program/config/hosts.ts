/**
 * The desired set of session hosts and where each one lives. Pure functions of the parsed config:
 * the program declares exactly these hosts, the driver plans over them.
 */
import type { AvailabilityZone, StackConfig } from "./types";

/** `<prefix>-<index>`: both the OS computer name and the stable identity of a host across VM generations. */
export function hostName(vmNamePrefix: string, index: number): string {
  return `${vmNamePrefix}-${index}`;
}

/** `<prefix>-0` .. `<prefix>-<count-1>`, in index (natural) order. */
export function desiredHostNames(config: StackConfig): string[] {
  const { vmNamePrefix, count } = config.sessionHosts;
  return Array.from({ length: count }, (_, index) => hostName(vmNamePrefix, index));
}

/**
 * The index of a host name of this pool (`avdprod-7` → 7), or undefined when the name is not
 * `<prefix>-<non-negative integer without leading zeros>`. Prefix comparison is case-insensitive,
 * as Windows computer names are. Hosts beyond `count` still get their index (they are hosts to
 * remove, not strangers).
 */
export function hostIndex(config: StackConfig, name: string): number | undefined {
  const prefix = `${config.sessionHosts.vmNamePrefix}-`;
  if (name.length <= prefix.length || name.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
    return undefined;
  }
  const digits = name.slice(prefix.length);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return undefined;
  return Number(digits);
}

/**
 * The availability zone of the host with this index: round robin over the configured zones, so a
 * host keeps its zone across updates as long as the zone list does not change. Undefined when no
 * zones are configured (regional VMs).
 */
export function hostZone(config: StackConfig, index: number): AvailabilityZone | undefined {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(`host index must be a non-negative integer, got ${index}`);
  }
  const zones = config.sessionHostConfiguration.availabilityZones;
  return zones.length === 0 ? undefined : zones[index % zones.length];
}
