/**
 * The preflight: reads what the new VM generation depends on (through the AzureEnvironment port,
 * and the HostPool and Compute ports for the pool's own facts), all at once, then runs the pure
 * checks over it. Reads only: nothing is changed, nobody is notified.
 */
import pLimit from "p-limit";
import type { ComputePort, HostPoolPort, PowerState } from "../core/ports";
import {
  accessCheck,
  HOST_POOL_ACTIONS,
  MONITORING_ACTIONS,
  SUBNET_ACTIONS,
  VM_RESOURCE_GROUP_ACTIONS,
} from "./checks/access";
import type { ScopeRequirement } from "./checks/access";
import { imageCheck } from "./checks/image";
import { planToCheck, purchasePlanCheck } from "./checks/purchasePlan";
import { quotaCheck, type OriginalVm } from "./checks/quota";
import { dataCollectionRuleCheck, downloadUrlsCheck } from "./checks/references";
import { subnetCheck } from "./checks/subnet";
import { vmSizeCheck } from "./checks/vmSize";
import { couldNotCheck, readFact } from "./fact";
import type { AzureEnvironmentPort, ImageFacts } from "./ports";
import { reportOf, type PreflightCheck, type PreflightReport } from "./report";
import { skuIndex } from "./skus";
import type { PreflightRollout, PreflightTarget } from "./target";

export interface PreflightDeps {
  target: PreflightTarget;
  rollout: PreflightRollout;
  environment: AzureEnvironmentPort;
  /** Read-only use: tags, session hosts, user sessions. */
  hostPool: HostPoolPort;
  /** Read-only use: power states of the originals. */
  compute: ComputePort;
}

/** Power state reads in flight at once (one per original VM). */
const POWER_STATE_CONCURRENCY = 8;

export async function runPreflight(deps: PreflightDeps): Promise<PreflightReport> {
  const { target, rollout, environment } = deps;
  const vmIds = rollout.outOfDate.map((host) => host.vmResourceId);
  const limit = pLimit(POWER_STATE_CONCURRENCY);

  const imageRead = readFact(() => readImage(environment, target));
  const [usages, skus, image, subnet, sizes, powers, dcr, urls, scopes, reads] = await Promise.all([
    readFact(() => environment.listUsages(target.location)),
    readFact(() => environment.listVmSkus(target.location)),
    imageRead,
    readFact(() => environment.getSubnet(target.subnetId)),
    readFact(() => environment.getVmSizes(vmIds)),
    readFact(() => Promise.all(vmIds.map((id) => limit(() => deps.compute.getPowerState(id))))),
    target.dataCollectionRuleId === undefined
      ? Promise.resolve(undefined)
      : readFact(() => environment.getDataCollectionRule(target.dataCollectionRuleId as string)),
    Promise.all(
      target.urls.map(async (configured) => ({
        configured,
        result: await readFact(() => environment.probeUrl(configured.url)),
      })),
    ),
    readScopes(environment, target),
    Promise.all(
      [
        { what: "the host pool's tags (rollout record)", read: () => deps.hostPool.readRecord() },
        { what: "session hosts", read: () => deps.hostPool.listSessionHosts() },
        { what: "user sessions", read: () => deps.hostPool.listUserSessions() },
      ].map(async ({ what, read }) => ({ what, result: await readFact<unknown>(read) })),
    ),
  ]);
  const plan = planToCheck(target.purchasePlan, image.ok ? image.value : undefined);
  const agreement = plan ? await readFact(() => environment.getPlanAgreement(plan)) : undefined;

  const sku = skus.ok ? skuIndex(skus.value).get(target.vmSize.toLowerCase()) : undefined;
  const checks: PreflightCheck[] = [];

  if (!usages.ok || !skus.ok || !sizes.ok || !powers.ok) {
    const error = [usages, skus, sizes, powers].find(
      (fact): fact is { ok: false; error: string } => !fact.ok,
    )!.error;
    checks.push({ id: "quota", status: "warning", summary: couldNotCheck("vCPU quota", error) });
  } else {
    const originals: OriginalVm[] = rollout.outOfDate.map((host, i) => ({
      host: host.host,
      vmSize: sizes.value.get(host.vmResourceId.toLowerCase()),
      power: powerClass(powers.value[i]!),
    }));
    checks.push(
      quotaCheck({
        location: target.location,
        vmSize: target.vmSize,
        skus: skuIndex(skus.value),
        usages: usages.value,
        originals,
        batchSize: rollout.batchSize,
        deleteOriginalVm: rollout.deleteOriginalVm,
      }),
    );
  }

  checks.push(
    skus.ok
      ? vmSizeCheck(target, sku)
      : { id: "vmSize", status: "warning", summary: couldNotCheck("the VM size", skus.error) },
  );
  checks.push(
    image.ok
      ? imageCheck(target, image.value, sku)
      : { id: "image", status: "warning", summary: couldNotCheck("the image", image.error) },
  );
  checks.push(
    !image.ok && !target.purchasePlan
      ? {
          id: "purchasePlan",
          status: "warning",
          summary: couldNotCheck("whether the image has a purchase plan", image.error),
        }
      : purchasePlanCheck(target.purchasePlan, image.ok ? image.value : undefined, agreement),
  );
  checks.push(
    subnet.ok
      ? subnetCheck(target.subnetId, subnet.value, rollout)
      : {
          id: "subnet",
          status: "warning",
          summary: couldNotCheck(`subnet ${target.subnetId}`, subnet.error),
        },
  );
  checks.push(accessCheck(reads, scopes));
  checks.push(dataCollectionRuleCheck(target.dataCollectionRuleId, dcr));
  checks.push(downloadUrlsCheck(urls));
  return reportOf(checks);
}

function readImage(environment: AzureEnvironmentPort, target: PreflightTarget): Promise<ImageFacts | null> {
  const { image } = target;
  return image.type === "marketplace"
    ? environment.getMarketplaceImage(target.location, image)
    : environment.getCustomImage(image.resourceId, image.kind);
}

/** Deallocated VMs hold no vCPU quota; every other state does (a stopped VM is still allocated). */
function powerClass(state: PowerState | "notFound"): OriginalVm["power"] {
  if (state === "notFound") return "missing";
  return state === "deallocated" || state === "deallocating" ? "deallocated" : "allocated";
}

async function readScopes(
  environment: AzureEnvironmentPort,
  target: PreflightTarget,
): Promise<ScopeRequirement[]> {
  const last = (id: string): string => id.split("/").pop() ?? id;
  const vmActions = target.dataCollectionRuleId
    ? [...VM_RESOURCE_GROUP_ACTIONS, ...MONITORING_ACTIONS]
    : [...VM_RESOURCE_GROUP_ACTIONS];
  const scopes: Omit<ScopeRequirement, "permissions">[] = [
    { label: `host pool ${last(target.hostPoolId)}`, scopeId: target.hostPoolId, actions: HOST_POOL_ACTIONS },
    {
      label: `resource group ${last(target.vmResourceGroupId)}`,
      scopeId: target.vmResourceGroupId,
      actions: vmActions,
    },
    { label: `subnet ${last(target.subnetId)}`, scopeId: target.subnetId, actions: SUBNET_ACTIONS },
  ];
  return Promise.all(
    scopes.map(async (scope) => ({
      ...scope,
      permissions: await readFact(() => environment.listPermissions(scope.scopeId)),
    })),
  );
}
