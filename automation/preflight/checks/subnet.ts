/**
 * Subnet addresses: every new VM gets a NIC with an address in the configured subnet while the
 * original keeps its own (a deallocated VM's NIC keeps its address). Originals deleted after their
 * replacement hand their address back, so a batch of new NICs is the peak; originals kept
 * deallocated keep theirs, so every replaced host needs a new address for good.
 *
 * Azure reserves 5 addresses of every IPv4 subnet (network, gateway, 2 for DNS, broadcast);
 * every IP configuration listed on the subnet uses one address.
 */
import type { SubnetFacts } from "../ports";
import type { PreflightCheck } from "../report";
import type { PreflightRollout } from "../target";

export const AZURE_RESERVED_ADDRESSES = 5;

/** Usable addresses of an IPv4 prefix (`10.0.1.0/24` -> 251); 0 for IPv6 or malformed prefixes. */
export function usableAddresses(prefix: string): number {
  const match = /^\d{1,3}(?:\.\d{1,3}){3}\/(\d{1,2})$/.exec(prefix.trim());
  if (!match) return 0;
  const bits = Number(match[1]);
  if (bits > 32) return 0;
  return Math.max(0, 2 ** (32 - bits) - AZURE_RESERVED_ADDRESSES);
}

/** New addresses the rollout needs at its peak. */
export function addressesNeeded(
  rollout: Pick<PreflightRollout, "outOfDate" | "batchSize" | "deleteOriginalVm">,
): number {
  const hosts = rollout.outOfDate.length;
  return rollout.deleteOriginalVm ? Math.min(Math.max(1, rollout.batchSize), hosts) : hosts;
}

export function subnetCheck(
  subnetId: string,
  subnet: SubnetFacts | null,
  rollout: Pick<PreflightRollout, "outOfDate" | "batchSize" | "deleteOriginalVm">,
): PreflightCheck {
  const name = subnetId
    .split("/")
    .slice(-3)
    .filter((_, i) => i !== 1)
    .join("/");
  if (subnet === null) {
    return {
      id: "subnet",
      status: "failed",
      summary: `subnet ${subnetId} was not found`,
      fix: "check networkInfo.subnetId (subscription, resource group, virtual network and subnet names)",
    };
  }
  if (subnet.delegations.length > 0) {
    return {
      id: "subnet",
      status: "failed",
      summary: `subnet ${name} is delegated to ${subnet.delegations.join(", ")}, and a delegated subnet cannot hold VM network interfaces`,
      fix: "use a subnet without delegations for the session hosts",
    };
  }
  const usable = subnet.addressPrefixes.reduce((sum, prefix) => sum + usableAddresses(prefix), 0);
  const free = Math.max(0, usable - subnet.ipConfigurations);
  const need = addressesNeeded(rollout);
  const facts = `${subnet.addressPrefixes.join(", ")} has ${usable} usable addresses (Azure reserves ${AZURE_RESERVED_ADDRESSES} per prefix), ${subnet.ipConfigurations} in use, ${free} free`;
  const why = rollout.deleteOriginalVm
    ? "a batch of new NICs while the originals still hold theirs"
    : "one new NIC per replaced host, as the originals are kept deallocated with their NICs";
  if (free < need) {
    const fixes = ["free addresses in the subnet or add an address prefix to it"];
    if (rollout.deleteOriginalVm && free >= 1) fixes.push(`roll out with --batch-size ${free}`);
    if (!rollout.deleteOriginalVm) {
      const withDelete = Math.min(Math.max(1, rollout.batchSize), rollout.outOfDate.length);
      if (withDelete <= free)
        fixes.push("delete the originals (--delete-original-vm) so their addresses come back");
    }
    return {
      id: "subnet",
      status: "failed",
      summary: `subnet ${name}: ${facts}; the rollout needs ${need} (${why})`,
      fix: fixes.join(", or "),
    };
  }
  return {
    id: "subnet",
    status: "passed",
    summary: `subnet ${name}: ${free} free addresses, ${need} needed (${why})`,
  };
}
