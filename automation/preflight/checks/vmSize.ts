/**
 * VM size: offered in the region and in every configured zone, not restricted for the
 * subscription, and able to carry what the configuration asks of it (accelerated networking,
 * a premium OS disk, Trusted Launch, a confidential VM) — resource SKUs API.
 */
import type { VmSkuFacts } from "../ports";
import type { PreflightCheck } from "../report";
import type { PreflightTarget } from "../target";
import { capability, capabilityIsTrue, generationsOf } from "../skus";

type SizeTarget = Pick<
  PreflightTarget,
  "vmSize" | "location" | "zones" | "acceleratedNetworking" | "diskType" | "securityType"
>;

const LIST_SIZES = (location: string): string =>
  `\`az vm list-skus --location ${location} --resource-type virtualMachines --output table\``;

export function vmSizeCheck(target: SizeTarget, sku: VmSkuFacts | undefined): PreflightCheck {
  const { vmSize, location } = target;
  if (!sku) {
    return {
      id: "vmSize",
      status: "failed",
      summary: `${vmSize} is not offered in ${location}`,
      fix: `set sessionHostConfiguration.vmSizeId to a size that ${LIST_SIZES(location)} lists`,
    };
  }
  const regional = sku.restrictions.find((r) => r.type === "Location");
  if (regional) {
    return {
      id: "vmSize",
      status: "failed",
      summary: `${sku.name} is restricted for this subscription in ${location} (${regional.reasonCode})`,
      fix:
        regional.reasonCode === "QuotaId"
          ? `the subscription's offer type cannot use ${sku.name}: choose another size`
          : `request access to ${sku.name} in ${location} with a support request (Service and subscription limits (quotas) > region or SKU access), or choose another size`,
    };
  }

  const problems: string[] = [];
  const fixes: string[] = [];
  const restrictedZones = new Set(
    sku.restrictions.filter((r) => r.type === "Zone").flatMap((r) => r.zones.map(String)),
  );
  const missingZones = target.zones.filter((zone) => !sku.zones.includes(zone) || restrictedZones.has(zone));
  if (missingZones.length > 0) {
    problems.push(`not available in zone(s) ${missingZones.join(", ")} of ${location}`);
    fixes.push(
      `choose a size available in every configured zone, or remove zone(s) ${missingZones.join(", ")} from availabilityZones (hosts keep their zone across updates)`,
    );
  }
  if (target.acceleratedNetworking && !capabilityIsTrue(sku, "AcceleratedNetworkingEnabled")) {
    problems.push("no accelerated networking");
    fixes.push("set networkInfo.acceleratedNetworking: false, or choose a size that supports it");
  }
  if (target.diskType.startsWith("Premium") && !capabilityIsTrue(sku, "PremiumIO")) {
    problems.push(`no premium storage for a ${target.diskType} OS disk`);
    fixes.push(
      "set diskInfo.type to StandardSSD_LRS, or choose a size with premium storage (an `s` in its name)",
    );
  }
  if (target.securityType !== "Standard") {
    if (!generationsOf(sku).includes("V2")) {
      problems.push(`Gen1 only, while ${target.securityType} needs a Gen2 VM`);
      fixes.push("choose a size that runs Gen2 VMs");
    } else if (target.securityType === "TrustedLaunch" && capabilityIsTrue(sku, "TrustedLaunchDisabled")) {
      problems.push("Trusted Launch is not supported on this size");
      fixes.push("choose a size that supports Trusted Launch, or set securityInfo.type: Standard");
    } else if (target.securityType === "ConfidentialVM" && !capability(sku, "ConfidentialComputingType")) {
      problems.push("not a confidential VM size");
      fixes.push("choose a confidential size (DCasv5, DCadsv5, ECasv5, DCesv5 ... series)");
    }
  }
  if (problems.length > 0) {
    return {
      id: "vmSize",
      status: "failed",
      summary: `${sku.name} in ${location}: ${problems.join("; ")}`,
      fix: fixes.join("; "),
    };
  }
  const zones = target.zones.length > 0 ? ` and zone(s) ${target.zones.join(", ")}` : "";
  return {
    id: "vmSize",
    status: "passed",
    summary: `${sku.name} is offered in ${location}${zones} for this subscription`,
  };
}
