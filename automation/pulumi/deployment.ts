/**
 * The ledger read back (spec section 4: the state is the ledger): which VM generation and
 * configuration revision each host runs, from `stack.exportStack()`.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { ledgerFromState, type StateLedger } from "../../program/ledger/stateLedger";
import type { DeployedHost } from "../core/ports";
import { resourceNameOfUrn } from "./hostOfResource";

export const VIRTUAL_MACHINE_TYPE = "azure-native:compute:VirtualMachine";

/** `<host>-<yyyy-MM-ddTHH-mm-ss>`: the generation suffix of a VM resource name. */
const GENERATION_SUFFIX = /-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})$/;

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  delete?: boolean;
  pendingReplacement?: boolean;
  initErrors?: string[];
  outputs?: Record<string, unknown>;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function stateResources(deployment: Deployment): StateResource[] {
  const body = asRecord(deployment.deployment);
  const resources = body?.resources;
  if (!Array.isArray(resources)) return [];
  const out: StateResource[] = [];
  for (const item of resources) {
    const resource = asRecord(item);
    const urn = asString(resource?.urn);
    const type = asString(resource?.type);
    if (!resource || !urn || !type) continue;
    out.push({
      urn,
      type,
      id: asString(resource.id),
      delete: resource.delete === true,
      pendingReplacement: resource.pendingReplacement === true,
      initErrors: Array.isArray(resource.initErrors) ? resource.initErrors.map(String) : undefined,
      outputs: asRecord(resource.outputs),
    });
  }
  return out;
}

/** The host a VM generation belongs to: its OS computer name, else its name without the generation suffix. */
export function hostOfVm(vmName: string, computerName: string | undefined): string {
  if (computerName) return computerName.toLowerCase();
  return vmName.replace(GENERATION_SUFFIX, "");
}

function generationOf(vmName: string): string {
  return GENERATION_SUFFIX.exec(vmName)?.[1] ?? "";
}

/**
 * One {@link DeployedHost} per host: the newest live VM generation of each host in state.
 * Entries marked for deletion are the old half of a finished replacement and never count. An
 * entry pending replacement (an interrupted delete-before-replace, written by versions of the
 * program that let the provider choose it) counts only when the host has no other VM: its Azure
 * VM was retained (retainOnDelete), it is still the host's generation, and reporting it keeps the
 * host in the plan so that `retry` finishes its replacement instead of losing the host.
 * A VM without the revision tag reports revision `""`, which is out of date with any configuration.
 */
export function deployedHostsFromDeployment(deployment: Deployment, revisionTagKey: string): DeployedHost[] {
  const newest = new Map<string, DeployedHost>();
  const pending = new Map<string, DeployedHost>();
  for (const resource of stateResources(deployment)) {
    if (resource.type !== VIRTUAL_MACHINE_TYPE || resource.delete) continue;
    const outputs = resource.outputs ?? {};
    const vmName = asString(outputs.name) ?? resourceNameOfUrn(resource.urn);
    const vmResourceId = asString(outputs.id) ?? resource.id;
    if (!vmResourceId) continue;
    const osProfile = asRecord(outputs.osProfile);
    const host = hostOfVm(vmName, asString(osProfile?.computerName));
    const tags = asRecord(outputs.tags);
    const revision = asString(tags?.[revisionTagKey]) ?? "";
    const candidate: DeployedHost = { host, vmName, vmResourceId, revision };
    const into = resource.pendingReplacement ? pending : newest;
    const current = into.get(host);
    if (!current || generationOf(vmName) > generationOf(current.vmName)) into.set(host, candidate);
  }
  for (const [host, vm] of pending) if (!newest.has(host)) newest.set(host, vm);
  return [...newest.values()];
}

/** The ledger the inline program needs (program/ledger/stateLedger.ts), from the full state. */
export function ledgerFromDeployment(deployment: Deployment): StateLedger {
  return ledgerFromState(stateResources(deployment));
}
