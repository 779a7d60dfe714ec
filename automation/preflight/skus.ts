/** Reading the resource SKUs API's capabilities, which come as strings. */
import type { HyperVGeneration, VmSkuFacts } from "./ports";

export function capability(sku: VmSkuFacts, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(sku.capabilities)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Whether a `"True"`/`"False"` capability is true. */
export function capabilityIsTrue(sku: VmSkuFacts, name: string): boolean {
  return capability(sku, name)?.toLowerCase() === "true";
}

/** vCPUs a VM of this size counts against quota; undefined when the SKU does not say. */
export function vcpusOf(sku: VmSkuFacts): number | undefined {
  const value = Number(capability(sku, "vCPUs"));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** VM generations the size runs (`HyperVGenerations: "V1,V2"`); absent means V1 only. */
export function generationsOf(sku: VmSkuFacts): HyperVGeneration[] {
  const listed = (capability(sku, "HyperVGenerations") ?? "V1")
    .split(",")
    .map((g) => g.trim().toUpperCase())
    .filter((g): g is HyperVGeneration => g === "V1" || g === "V2");
  return listed.length > 0 ? listed : ["V1"];
}

/** Indexes SKUs by name, case-insensitively. */
export function skuIndex(skus: readonly VmSkuFacts[]): Map<string, VmSkuFacts> {
  return new Map(skus.map((sku) => [sku.name.toLowerCase(), sku]));
}

export function generationName(generation: HyperVGeneration): string {
  return generation === "V2" ? "Gen2" : "Gen1";
}
