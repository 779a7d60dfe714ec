/**
 * Names of a session host's resources (spec section 4).
 *
 * Two kinds of names:
 * - Azure resource names carry the VM generation: `<host>-<UTC yyyy-MM-ddTHH-mm-ss>` for the VM,
 *   and the NIC and OS disk named after the VM. A new generation gets new names, which is what
 *   makes the engine replace the host's resources (create the new ones, then drop the old).
 * - Logical (URN) names are stable per host (`<host>-vm`, `<host>-nic`, ...), so the state keeps
 *   one entry per host whose recorded properties say which generation it runs: the ledger.
 */

function twoDigits(value: number): string {
  return value.toString().padStart(2, "0");
}

/** `2026-04-15T17-16-07`: the UTC time of a generation, safe in Azure resource names. */
export function generationStamp(time: Date): string {
  if (Number.isNaN(time.getTime())) {
    throw new Error(
      `generationTime is not a valid date (${String(time)}): pass the time the batch's VMs are created`,
    );
  }
  return (
    `${time.getUTCFullYear()}-${twoDigits(time.getUTCMonth() + 1)}-${twoDigits(time.getUTCDate())}` +
    `T${twoDigits(time.getUTCHours())}-${twoDigits(time.getUTCMinutes())}-${twoDigits(time.getUTCSeconds())}`
  );
}

/** Azure resource name of the VM generation of `host` created at `time`. */
export function vmNameOf(host: string, time: Date): string {
  return `${host}-${generationStamp(time)}`;
}

export function nicNameOf(vmName: string): string {
  return `${vmName}-nic`;
}

export function osDiskNameOf(vmName: string): string {
  return `${vmName}-osdisk`;
}

/** Stable logical names of a host's resources, unique per host and never generation-dependent. */
export interface HostLogicalNames {
  vm: string;
  nic: string;
  extension(kind: string): string;
  dataCollectionRuleAssociation: string;
}

export function logicalNamesOf(host: string): HostLogicalNames {
  return {
    vm: `${host}-vm`,
    nic: `${host}-nic`,
    extension: (kind) => `${host}-${kind}`,
    dataCollectionRuleAssociation: `${host}-dcra`,
  };
}
