/**
 * Purchase plan: an image sold under a Marketplace plan needs the plan on the VM
 * (`sessionHostConfiguration.purchasePlan`) and the plan's terms accepted for the subscription
 * (MarketplaceOrdering agreements), or every VM creation fails.
 */
import type { Fact } from "../fact";
import { couldNotCheck } from "../fact";
import type { ImageFacts, PurchasePlanRef } from "../ports";
import type { PreflightCheck } from "../report";

function describePlan(plan: PurchasePlanRef): string {
  return `${plan.name} (publisher ${plan.publisher}, product ${plan.product})`;
}

function samePlan(a: PurchasePlanRef, b: PurchasePlanRef): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() &&
    a.publisher.toLowerCase() === b.publisher.toLowerCase() &&
    a.product.toLowerCase() === b.product.toLowerCase()
  );
}

/** The plan whose terms must be accepted, or undefined when none applies. */
export function planToCheck(
  configured: PurchasePlanRef | undefined,
  image: ImageFacts | null | undefined,
): PurchasePlanRef | undefined {
  return configured ?? image?.plan;
}

export function purchasePlanCheck(
  configured: PurchasePlanRef | undefined,
  image: ImageFacts | null | undefined,
  agreement: Fact<{ accepted: boolean } | null> | undefined,
): PreflightCheck {
  const imagePlan = image?.plan;
  if (!configured && !imagePlan) {
    return { id: "purchasePlan", status: "skipped", summary: "the image has no purchase plan" };
  }
  if (imagePlan && !configured) {
    return {
      id: "purchasePlan",
      status: "failed",
      summary: `the image is sold under plan ${describePlan(imagePlan)}, and sessionHostConfiguration.purchasePlan is not set`,
      fix: `set purchasePlan: { name: ${imagePlan.name}, publisher: ${imagePlan.publisher}, product: ${imagePlan.product} }`,
    };
  }
  if (imagePlan && configured && !samePlan(imagePlan, configured)) {
    return {
      id: "purchasePlan",
      status: "failed",
      summary: `purchasePlan ${describePlan(configured)} is not the image's plan ${describePlan(imagePlan)}`,
      fix: `set purchasePlan: { name: ${imagePlan.name}, publisher: ${imagePlan.publisher}, product: ${imagePlan.product} }`,
    };
  }
  const plan = (configured ?? imagePlan) as PurchasePlanRef;
  const accept = `accept them once for the subscription: \`az vm image terms accept --publisher ${plan.publisher} --offer ${plan.product} --plan ${plan.name}\` (or Set-AzMarketplaceTerms -Accept)`;
  if (!agreement) {
    return { id: "purchasePlan", status: "warning", summary: couldNotCheck("the plan's terms", "not read") };
  }
  if (!agreement.ok) {
    return {
      id: "purchasePlan",
      status: "warning",
      summary: couldNotCheck("the plan's terms", agreement.error),
    };
  }
  if (agreement.value === null) {
    return {
      id: "purchasePlan",
      status: "failed",
      summary: `Azure Marketplace knows no plan ${describePlan(plan)}`,
      fix: "check purchasePlan against the image's plan (`az vm image show --urn ...` shows it)",
    };
  }
  if (!agreement.value.accepted) {
    return {
      id: "purchasePlan",
      status: "failed",
      summary: `the Marketplace terms of plan ${describePlan(plan)} are not accepted for this subscription`,
      fix: accept,
    };
  }
  return {
    id: "purchasePlan",
    status: "passed",
    summary: `plan ${describePlan(plan)}: terms accepted`,
  };
}
