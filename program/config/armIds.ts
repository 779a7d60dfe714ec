/**
 * Recognisers for the ARM resource ids the configuration refers to. Segment names are matched
 * case-insensitively, as ARM does; resource names must be non-empty and free of `/`.
 */
import type { CustomImageKind } from "./types";

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const NAME = "[^/\\s]+";
// The subscription segment is any name, not only a GUID: ARM rejects a wrong one at deploy time
// anyway, and mock-runtime configurations (tests, rehearsals) use readable placeholders.
const RG_SCOPE = `/subscriptions/${NAME}/resourceGroups/${NAME}/providers`;

function armId(tail: string): RegExp {
  return new RegExp(`^${RG_SCOPE}/${tail}$`, "i");
}

const patterns = {
  subnet: armId(`Microsoft\\.Network/virtualNetworks/${NAME}/subnets/${NAME}`),
  networkSecurityGroup: armId(`Microsoft\\.Network/networkSecurityGroups/${NAME}`),
  dataCollectionRule: armId(`Microsoft\\.Insights/dataCollectionRules/${NAME}`),
  galleryImage: armId(`Microsoft\\.Compute/galleries/${NAME}/images/${NAME}`),
  galleryImageVersion: armId(`Microsoft\\.Compute/galleries/${NAME}/images/${NAME}/versions/${NAME}`),
  managedImage: armId(`Microsoft\\.Compute/images/${NAME}`),
} as const;

export const armIdExamples = {
  subnet:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
  networkSecurityGroup:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Network/networkSecurityGroups/<nsg>",
  dataCollectionRule:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Insights/dataCollectionRules/<dcr>",
  galleryImageVersion:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>/images/<image>/versions/<version>",
  galleryImage:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>/images/<image>",
  managedImage:
    "/subscriptions/<subscription-id>/resourceGroups/<rg>/providers/Microsoft.Compute/images/<image>",
} as const;

export const isSubnetId = (id: string): boolean => patterns.subnet.test(id);
export const isNetworkSecurityGroupId = (id: string): boolean => patterns.networkSecurityGroup.test(id);
export const isDataCollectionRuleId = (id: string): boolean => patterns.dataCollectionRule.test(id);

/** Which kind of custom image an ARM id names, or undefined when it is none of the three. */
export function customImageKind(id: string): CustomImageKind | undefined {
  if (patterns.galleryImageVersion.test(id)) return "galleryImageVersion";
  if (patterns.galleryImage.test(id)) return "galleryImage";
  if (patterns.managedImage.test(id)) return "managedImage";
  return undefined;
}

export const GUID_PATTERN = new RegExp(`^${GUID}$`);
