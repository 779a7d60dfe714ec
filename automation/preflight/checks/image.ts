/**
 * Image: it exists where the VMs are created, its VM generation runs on the size, and its
 * security type fits the configured one.
 *
 * Security types (the image's `SecurityType` feature, Azure Compute Gallery and Marketplace):
 * - a Trusted Launch VM needs a Gen2 image; a gallery image must be marked `TrustedLaunch`,
 *   `TrustedLaunchSupported` or `TrustedLaunchAndConfidentialVmSupported` (an unmarked Gen2
 *   gallery image is a warning: Azure may refuse it); Marketplace Gen2 images are accepted;
 * - a confidential VM needs a Gen2 image marked `ConfidentialVM`, `ConfidentialVmSupported` or
 *   `TrustedLaunchAndConfidentialVmSupported` (and a confidential size, see the VM size check);
 * - a Standard VM cannot be created from an image marked `TrustedLaunch` or `ConfidentialVM`;
 * - managed images support neither Trusted Launch nor confidential VMs.
 */
import type { HyperVGeneration, ImageFacts, VmSkuFacts } from "../ports";
import type { PreflightCheck } from "../report";
import type { PreflightImage, PreflightTarget } from "../target";
import { generationName, generationsOf } from "../skus";

type ImageTarget = Pick<PreflightTarget, "image" | "location" | "securityType" | "vmSize">;

const TRUSTED_LAUNCH_IMAGES = [
  "trustedlaunch",
  "trustedlaunchsupported",
  "trustedlaunchandconfidentialvmsupported",
];
const CONFIDENTIAL_IMAGES = [
  "confidentialvm",
  "confidentialvmsupported",
  "trustedlaunchandconfidentialvmsupported",
];

/** ARM region names compare without case and spaces (`West Europe` is `westeurope`). */
export function sameRegion(a: string, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, "");
  return norm(a) === norm(b);
}

export function describeImage(image: PreflightImage): string {
  return image.type === "marketplace"
    ? `${image.publisher}:${image.offer}:${image.sku}:${image.version}`
    : image.resourceId;
}

function notFound(target: ImageTarget): PreflightCheck {
  const { image, location } = target;
  if (image.type === "marketplace") {
    return {
      id: "image",
      status: "failed",
      summary: `Marketplace image ${describeImage(image)} does not exist in ${location}`,
      fix: `pick a version that \`az vm image list --publisher ${image.publisher} --offer ${image.offer} --sku ${image.sku} --location ${location} --all\` lists, or \`latest\``,
    };
  }
  const what = {
    galleryImageVersion: "gallery image version",
    galleryImage:
      "gallery image (or any version of it that is replicated there and not excluded from latest)",
    managedImage: "managed image",
  }[image.kind];
  return {
    id: "image",
    status: "failed",
    summary: `${what} ${image.resourceId} was not found`,
    fix: "check imageInfo.customInfo.resourceId (subscription, resource group, gallery, image and version names)",
  };
}

export function imageCheck(
  target: ImageTarget,
  image: ImageFacts | null,
  sku: VmSkuFacts | undefined,
): PreflightCheck {
  if (image === null) return notFound(target);
  if (image.regions !== undefined && !image.regions.some((region) => sameRegion(region, target.location))) {
    const custom = target.image.type === "custom" ? target.image : undefined;
    return {
      id: "image",
      status: "failed",
      summary: `${image.reference} is in ${image.regions.join(", ") || "no region"}, not in ${target.location}`,
      fix:
        custom?.kind === "managedImage"
          ? `a managed image must be in the VMs' region: copy it to ${target.location} or publish it to a gallery replicated there`
          : `replicate the version to ${target.location} (add it to the version's target regions)`,
    };
  }

  const generation: HyperVGeneration = image.hyperVGeneration ?? "V1";
  const problems: string[] = [];
  const fixes: string[] = [];
  const warnings: string[] = [];
  if (sku && !generationsOf(sku).includes(generation)) {
    problems.push(
      `it is a ${generationName(generation)} image and ${sku.name} runs only ${generationsOf(sku).map(generationName).join(", ")} VMs`,
    );
    fixes.push(
      `use a ${generationsOf(sku).map(generationName).join("/")} image or a size that runs ${generationName(generation)} VMs`,
    );
  }
  const security = image.securityType?.toLowerCase();
  const managed = target.image.type === "custom" && target.image.kind === "managedImage";
  const marketplace = target.image.type === "marketplace";
  switch (target.securityType) {
    case "TrustedLaunch":
    case "ConfidentialVM": {
      const supported = target.securityType === "TrustedLaunch" ? TRUSTED_LAUNCH_IMAGES : CONFIDENTIAL_IMAGES;
      if (managed) {
        problems.push(`a managed image cannot create ${target.securityType} VMs`);
        fixes.push("publish the image to an Azure Compute Gallery and use its image version");
      } else if (generation !== "V2") {
        problems.push(`${target.securityType} needs a Gen2 image, this one is Gen1`);
        fixes.push("use the Gen2 variant of the image (Marketplace SKUs often end in -g2)");
      } else if (security !== undefined && !supported.includes(security)) {
        problems.push(`its security type ${image.securityType} does not allow ${target.securityType} VMs`);
        fixes.push(
          `use an image whose security type allows ${target.securityType}, or change securityInfo.type`,
        );
      } else if (security === undefined && target.securityType === "ConfidentialVM") {
        problems.push("it is not marked as supporting confidential VMs");
        fixes.push("use a confidential VM image (security type ConfidentialVmSupported)");
      } else if (security === undefined && !marketplace) {
        warnings.push(
          `the gallery image definition has no security type; Azure may refuse ${target.securityType} VMs from it (mark it TrustedLaunchSupported)`,
        );
      }
      break;
    }
    case "Standard":
      if (security === "trustedlaunch" || security === "confidentialvm") {
        problems.push(`its security type ${image.securityType} only creates ${image.securityType} VMs`);
        fixes.push(
          `set securityInfo.type: ${image.securityType === "ConfidentialVM" ? "ConfidentialVM" : "TrustedLaunch"}, or use another image`,
        );
      }
      break;
  }
  if (problems.length > 0) {
    return {
      id: "image",
      status: "failed",
      summary: `${image.reference}: ${problems.join("; ")}`,
      fix: fixes.join("; "),
    };
  }
  const facts = `${generationName(generation)}${image.securityType ? `, security type ${image.securityType}` : ""}`;
  if (warnings.length > 0) {
    return {
      id: "image",
      status: "warning",
      summary: `${image.reference} (${facts}): ${warnings.join("; ")}`,
    };
  }
  return {
    id: "image",
    status: "passed",
    summary: `${image.reference} (${facts}) fits ${target.vmSize} and ${target.securityType}`,
  };
}
