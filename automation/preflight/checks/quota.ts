/**
 * vCPU quota: will the region's quotas hold the new VM generation at its peak?
 *
 * The driver deallocates a batch's originals before `up` creates their new VMs (spec §5.3), and
 * deallocated VMs do not count against vCPU quota. So, per out-of-date host:
 * - an original that is allocated frees its vCPUs before its new VM takes `n`: the new size costs
 *   `n - o` more for good (`o` counted only when the original is in the same quota family, and
 *   only what it actually frees: a bigger original frees nothing more than `n`);
 * - an original that was deallocated stays free, but its new VM runs until it has registered and
 *   is deallocated again: `n` for a while, for at most one batch of such hosts at once;
 * - an original that no longer exists frees nothing: `n` for good.
 * The peak is bounded by the sum of the lasting costs plus one batch of the passing ones. The
 * count of VMs grows by one batch while originals are deleted after their replacement, or by
 * every replaced host when originals are kept (deallocated VMs still count as VMs).
 */
import type { QuotaUsage, VmSkuFacts } from "../ports";
import type { PreflightCheck } from "../report";
import { vcpusOf } from "../skus";

/** The Azure portal's quota page, where increases are requested. */
export const QUOTA_PORTAL_URL =
  "https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade/~/myQuotas";

export interface OriginalVm {
  host: string;
  /** Its VM size, when known. */
  vmSize?: string;
  /** `missing`: the VM does not exist (any more). */
  power: "allocated" | "deallocated" | "missing";
}

export interface QuotaInput {
  location: string;
  /** The configured (new) VM size. */
  vmSize: string;
  /** SKUs of the region by lower-cased name. */
  skus: ReadonlyMap<string, VmSkuFacts>;
  usages: readonly QuotaUsage[];
  originals: readonly OriginalVm[];
  batchSize: number;
  deleteOriginalVm: boolean;
}

interface Demand {
  usage: string;
  /** Readable fallback name when the usage list has no row for it. */
  label: string;
  lasting: number;
  passing: number;
  unit: string;
}

interface Row {
  demand: Demand;
  usage: QuotaUsage | undefined;
  need: number;
  free: number;
}

export function quotaCheck(input: QuotaInput): PreflightCheck {
  const sku = input.skus.get(input.vmSize.toLowerCase());
  if (!sku) {
    return {
      id: "quota",
      status: "skipped",
      summary: `${input.vmSize} is not listed in ${input.location}, so its quota cannot be sized (see VM size)`,
    };
  }
  const n = vcpusOf(sku);
  if (n === undefined) {
    return {
      id: "quota",
      status: "warning",
      summary: `the resource SKUs API gives no vCPU count for ${sku.name}, so its quota cannot be sized`,
    };
  }
  const family = sku.family.toLowerCase();
  const batch = Math.max(1, Math.floor(input.batchSize));
  let familyLasting = 0;
  let regionalLasting = 0;
  let deallocated = 0;
  let unknownSize = 0;
  for (const original of input.originals) {
    if (original.power === "deallocated") {
      deallocated++;
      continue;
    }
    const originalSku = original.vmSize ? input.skus.get(original.vmSize.toLowerCase()) : undefined;
    const freed = original.power === "allocated" && originalSku ? (vcpusOf(originalSku) ?? 0) : 0;
    if (original.power === "allocated" && freed === 0) unknownSize++;
    const sameFamily = originalSku !== undefined && originalSku.family.toLowerCase() === family;
    familyLasting += Math.max(0, n - (sameFamily ? freed : 0));
    regionalLasting += Math.max(0, n - freed);
  }
  const passing = n * Math.min(batch, deallocated);
  const hosts = input.originals.length;
  const demands: Demand[] = [
    { usage: sku.family, label: `${sku.family} vCPUs`, lasting: familyLasting, passing, unit: "vCPUs" },
    { usage: "cores", label: "Total Regional vCPUs", lasting: regionalLasting, passing, unit: "vCPUs" },
    {
      usage: "virtualMachines",
      label: "Virtual Machines",
      lasting: input.deleteOriginalVm ? 0 : hosts,
      passing: input.deleteOriginalVm ? Math.min(batch, hosts) : 0,
      unit: "VMs",
    },
  ];

  const rows: Row[] = demands.map((demand) => {
    const usage = input.usages.find((u) => u.name.toLowerCase() === demand.usage.toLowerCase());
    const free = usage === undefined || usage.limit < 0 ? Infinity : usage.limit - usage.current;
    return { demand, usage, need: demand.lasting + demand.passing, free };
  });
  const details = rows.map((row) => detailLine(row, input.location));
  if (unknownSize > 0) {
    details.push(
      `${unknownSize} running original(s) of unknown size are counted as freeing nothing (the estimate errs high)`,
    );
  }
  const shortOf = rows.filter((row) => row.need > row.free);
  const unlisted = rows.filter(
    (row) => row.need > 0 && row.usage === undefined && row.demand.unit === "vCPUs",
  );
  const what = `${hosts} host(s) to ${sku.name} (${n} vCPUs, ${sku.family})`;

  if (shortOf.length > 0) {
    const summary = shortOf
      .map(
        (row) =>
          `${quotaName(row)} in ${input.location}: ${Math.max(0, row.free)} free, the rollout needs up to ${row.need} (${row.need - Math.max(0, row.free)} missing)`,
      )
      .join("; ");
    return {
      id: "quota",
      status: "failed",
      summary: `${summary}, for ${what}`,
      fix: quotaFix(shortOf, input, n),
      details,
    };
  }
  if (unlisted.length > 0) {
    return {
      id: "quota",
      status: "warning",
      summary: `the usage API lists no quota named ${unlisted.map((row) => row.demand.usage).join(", ")} in ${input.location}; ${what} needs up to ${unlisted[0]!.need} vCPUs there`,
      details,
    };
  }
  const [familyRow, regionalRow] = rows as [Row, Row, Row];
  return {
    id: "quota",
    status: "passed",
    summary: `${what}: up to ${familyRow.need} more vCPUs in the family (${formatFree(familyRow.free)} free) and ${regionalRow.need} regionally (${formatFree(regionalRow.free)} free)`,
    details,
  };
}

function quotaName(row: Row): string {
  return row.usage?.displayName || row.demand.label;
}

function formatFree(free: number): string {
  return free === Infinity ? "no limit" : String(Math.max(0, free));
}

function detailLine(row: Row, location: string): string {
  const usage = row.usage;
  const state = usage
    ? usage.limit < 0
      ? `${usage.current} in use, no limit`
      : `${usage.current} of ${usage.limit} in use, ${Math.max(0, usage.limit - usage.current)} free`
    : "not listed by the usage API";
  return `${quotaName(row)} (${usage?.name ?? row.demand.usage}) in ${location}: ${state}; needs up to ${row.need} ${row.demand.unit} (${row.demand.lasting} lasting + ${row.demand.passing} while new VMs register)`;
}

/** Which quota to raise and by how much, where; and the rollout-side alternatives that would fit. */
function quotaFix(shortOf: readonly Row[], input: QuotaInput, n: number): string {
  const raise = shortOf
    .map((row) => {
      const missing = row.need - Math.max(0, row.free);
      const limit = (row.usage?.limit ?? 0) + missing;
      return `${quotaName(row)} by at least ${missing} (to a limit of ${limit} or more)`;
    })
    .join(" and ");
  const parts = [
    `request an increase of ${raise} in ${input.location}: Azure portal > Quotas > Compute (${QUOTA_PORTAL_URL}), \`az quota update\`, or a support request of type "Service and subscription limits (quotas)"`,
  ];
  // A smaller batch only helps with the passing part of the demand.
  const fitsWithBatch = shortOf.every((row) => row.demand.lasting <= row.free);
  if (fitsWithBatch && input.batchSize > 1) {
    const perHost = (row: Row): number => (row.demand.unit === "VMs" ? 1 : n);
    const largest = Math.min(
      ...shortOf.map((row) => Math.floor((row.free - row.demand.lasting) / perHost(row))),
      input.batchSize - 1,
    );
    if (largest >= 1) parts.push(`or roll out with --batch-size ${largest}`);
  }
  if (shortOf.some((row) => row.demand.unit === "VMs") && !input.deleteOriginalVm) {
    parts.push("or delete the originals (--delete-original-vm) instead of keeping them deallocated");
  }
  return parts.join(", ");
}
