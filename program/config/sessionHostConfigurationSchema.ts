/**
 * Schema of `avd-rollout:sessionHostConfiguration` (SPEC.md §3): how every session host is built,
 * in the vocabulary of Azure's sessionHostConfiguration resource. Strict objects, Azure's limits,
 * and the cross-field rules Azure enforces (one image source, security type combinations, join
 * type and directory info).
 */
import { z } from "zod";
import {
  armIdExamples,
  customImageKind,
  GUID_PATTERN,
  isDataCollectionRuleId,
  isNetworkSecurityGroupId,
  isSubnetId,
} from "./armIds";
import {
  DEFAULT_DISK_TYPE,
  DEFAULT_MARKETPLACE_VERSION,
  FRIENDLY_NAME_MAX,
  INTUNE_MDM_PROVIDER_GUID,
  OS_DISK_SIZE_GB_MAX,
  OS_DISK_SIZE_GB_MIN,
  RESERVED_TAG_PREFIX,
  TAG_NAME_MAX,
  TAG_VALUE_MAX,
  VM_TAGS_MAX,
} from "./limits";
import { missing, problem } from "./messages";
import {
  always,
  boolean,
  httpsUrl,
  integer,
  isObject,
  matching,
  oneOf,
  report,
  strictObject,
  text,
} from "./schemaBuilders";
import type {
  AvailabilityZone,
  DiskType,
  DomainInfo,
  ImageInfo,
  JoinType,
  SecurityInfo,
  SecurityType,
} from "./types";
import {
  adminPasswordProblem,
  adminUsernameProblem,
  DOMAIN_ACCOUNT_FIX,
  DOMAIN_ACCOUNT_WHAT,
  isDomainAccountName,
} from "./windowsRules";
import { credentialsSchema } from "./credentialsSchema";

const marketplaceInfoSchema = strictObject(
  {
    publisher: text("set the image publisher, e.g. MicrosoftWindowsDesktop"),
    offer: text("set the image offer, e.g. office-365"),
    sku: text("set the image SKU, e.g. win11-24h2-avd-m365"),
    exactVersion: matching(
      (value) => value === DEFAULT_MARKETPLACE_VERSION || /^\d+\.\d+\.\d+$/.test(value),
      "latest or a version major.minor.patch",
      "use latest, or pin a version listed by az vm image list --all (e.g. 26100.2314.241107)",
    ).default(DEFAULT_MARKETPLACE_VERSION),
  },
  "set publisher, offer, sku and exactVersion",
);

const customInfoSchema = strictObject(
  {
    resourceId: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? missing(`set the image id, e.g. ${armIdExamples.galleryImageVersion}`)
            : problem("must be a string", `set the image id, e.g. ${armIdExamples.galleryImageVersion}`),
      })
      .superRefine((id, ctx) => {
        if (customImageKind(id) === undefined) {
          ctx.addIssue({
            code: "custom",
            message: problem(
              "is not the ARM id of a gallery image, a gallery image version or a managed image",
              `use ${armIdExamples.galleryImageVersion} (or the image without /versions/..., or ${armIdExamples.managedImage})`,
            ),
          });
        }
      }),
  },
  "set customInfo.resourceId",
);

const imageTypes = ["Marketplace", "Custom"] as const satisfies readonly ImageInfo["type"][];

const imageInfoSchema = strictObject(
  {
    // Azure's ImageInfoProperties.type: optional here (the source given says it), checked when set.
    type: oneOf(imageTypes, "use Marketplace (with marketplaceInfo) or Custom (with customInfo)").optional(),
    marketplaceInfo: marketplaceInfoSchema.optional(),
    customInfo: customInfoSchema.optional(),
  },
  "set imageInfo with marketplaceInfo or customInfo",
)
  .superRefine((value, ctx) => {
    if (!isObject(value)) return;
    const sources = [value.marketplaceInfo, value.customInfo].filter((source) => source !== undefined);
    if (sources.length !== 1) {
      const chosen =
        value.type === "Marketplace" ? "marketplaceInfo" : value.type === "Custom" ? "customInfo" : undefined;
      report(
        ctx,
        [],
        problem(
          sources.length === 0 ? "names no image source" : "names two image sources",
          chosen !== undefined && sources.length === 2
            ? `keep only imageInfo.${chosen} (imageInfo.type is ${String(value.type)}); Azure uses one source`
            : "set exactly one of imageInfo.marketplaceInfo or imageInfo.customInfo",
        ),
      );
      return;
    }
    const given = value.marketplaceInfo !== undefined ? "Marketplace" : "Custom";
    if (
      typeof value.type === "string" &&
      (imageTypes as readonly string[]).includes(value.type) &&
      value.type !== given
    ) {
      report(
        ctx,
        ["type"],
        problem(
          `does not match the image source: imageInfo has ${given === "Marketplace" ? "marketplaceInfo" : "customInfo"}`,
          `set imageInfo.type: ${given}, or remove type (the source says it)`,
        ),
      );
    }
  }, always)
  .transform((value): ImageInfo => {
    if (value.customInfo !== undefined) {
      const { resourceId } = value.customInfo;
      return { type: "Custom", customInfo: { resourceId, kind: customImageKind(resourceId)! } };
    }
    return { type: "Marketplace", marketplaceInfo: value.marketplaceInfo! };
  });

const purchasePlanSchema = strictObject(
  {
    name: text("set the plan name (the image's plan: az vm image show --query plan)"),
    publisher: text("set the plan publisher (az vm image show --query plan)"),
    product: text("set the plan product (az vm image show --query plan)"),
    promotionCode: text("set the promotion code or remove it").optional(),
  },
  "set purchasePlan with name, publisher and product",
);

const diskTypes = ["Standard_LRS", "StandardSSD_LRS", "Premium_LRS"] as const satisfies readonly DiskType[];

const diskInfoSchema = strictObject(
  {
    type: oneOf(
      diskTypes,
      "use Standard_LRS, StandardSSD_LRS or Premium_LRS (Premium_LRS needs an s-size VM)",
    ),
    sizeGb: integer(
      OS_DISK_SIZE_GB_MIN,
      OS_DISK_SIZE_GB_MAX,
      `set the OS disk size in GiB, ${OS_DISK_SIZE_GB_MIN} to ${OS_DISK_SIZE_GB_MAX} and at least the image's size (usually 127), or remove it`,
    ).optional(),
  },
  "set diskInfo.type",
);

const securityTypes = [
  "Standard",
  "TrustedLaunch",
  "ConfidentialVM",
] as const satisfies readonly SecurityType[];

const securityInfoSchema = strictObject(
  {
    type: oneOf(securityTypes, "use Standard, TrustedLaunch or ConfidentialVM").default("Standard"),
    secureBootEnabled: boolean("set true or false").optional(),
    vTpmEnabled: boolean("set true or false").optional(),
  },
  "set securityInfo.type",
)
  .superRefine((value, ctx) => {
    if (!isObject(value) || typeof value.type !== "string") return;
    for (const flag of ["secureBootEnabled", "vTpmEnabled"] as const) {
      if (value.type === "Standard" && value[flag] === true) {
        report(
          ctx,
          [flag],
          problem(
            "needs securityInfo.type TrustedLaunch or ConfidentialVM (Azure applies UEFI settings only to those)",
            `set securityInfo.type: TrustedLaunch, or remove ${flag}`,
          ),
        );
      }
      if (value.type === "ConfidentialVM" && value[flag] === false) {
        report(
          ctx,
          [flag],
          problem(
            "must be true for a ConfidentialVM (Azure requires vTPM and Secure Boot for confidential VMs)",
            `set ${flag}: true, or use securityInfo.type TrustedLaunch`,
          ),
        );
      }
    }
  }, always)
  .transform((value): SecurityInfo => {
    // Trusted launch and confidential VMs default to Secure Boot and vTPM on, as Azure does.
    const uefiDefault = value.type !== "Standard";
    return {
      type: value.type,
      secureBootEnabled: value.secureBootEnabled ?? uefiDefault,
      vTpmEnabled: value.vTpmEnabled ?? uefiDefault,
    };
  });

const networkInfoSchema = strictObject(
  {
    subnetId: matching(isSubnetId, "the ARM id of a subnet", `use ${armIdExamples.subnet}`),
    securityGroupId: matching(
      isNetworkSecurityGroupId,
      "the ARM id of a network security group",
      `use ${armIdExamples.networkSecurityGroup}, or remove securityGroupId`,
    ).optional(),
    acceleratedNetworking: boolean("set true or false (the VM size must support it)").default(false),
  },
  "set networkInfo.subnetId",
);

const zoneSchema = z.preprocess(
  // Azure's own sessionHostConfiguration uses integers; YAML users write either.
  (value) => (typeof value === "number" ? String(value) : value),
  oneOf(["1", "2", "3"] as const satisfies readonly AvailabilityZone[], 'use zones "1", "2" and/or "3"'),
);

const availabilityZonesSchema = z
  .array(zoneSchema, {
    error: (issue) =>
      problem(
        issue.input === undefined ? "is missing" : "must be a list of zones",
        'use e.g. ["1", "2", "3"], or remove availabilityZones for regional VMs',
      ),
  })
  .superRefine((zones, ctx) => {
    if (!Array.isArray(zones)) return;
    const seen = new Set<unknown>();
    zones.forEach((zone, index) => {
      if (seen.has(zone)) report(ctx, [index], problem("repeats a zone", "list each zone once"));
      seen.add(zone);
    });
  }, always)
  .default([]);

const domainCredentialsSchema = credentialsSchema({
  username: matching(isDomainAccountName, DOMAIN_ACCOUNT_WHAT, DOMAIN_ACCOUNT_FIX),
  usernameExample: "join@corp.contoso.com",
  fix: "set domainCredentials with username and password (or their Key Vault secret URIs)",
});

const domainNamePattern = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/;

/** The DC= components of a distinguished name, or undefined when it is not an OU/CN DN. */
function ouPathDomain(ouPath: string): string | undefined {
  const parts = ouPath.split(/(?<!\\),/).map((part) => part.trim());
  const pairs = parts.map((part) => /^(OU|CN|DC)=(.+)$/i.exec(part));
  if (pairs.some((pair) => pair === null)) return undefined;
  const kinds = pairs.map((pair) => pair![1]!.toUpperCase());
  const firstDc = kinds.indexOf("DC");
  if (firstDc <= 0 || kinds.slice(firstDc).some((kind) => kind !== "DC")) return undefined;
  return pairs
    .slice(firstDc)
    .map((pair) => pair![2]!)
    .join(".");
}

const activeDirectoryInfoSchema = strictObject(
  {
    domainName: matching(
      (value) => domainNamePattern.test(value),
      "a DNS domain name",
      "use the AD DNS domain name, e.g. corp.contoso.com",
    ),
    ouPath: matching(
      (value) => ouPathDomain(value) !== undefined,
      "an OU distinguished name (OU=...,DC=...)",
      'use e.g. "OU=AVD,DC=corp,DC=contoso,DC=com", or remove ouPath for the default Computers container',
    ).optional(),
    domainCredentials: domainCredentialsSchema,
  },
  "set activeDirectoryInfo with domainName and domainCredentials",
).superRefine((value, ctx) => {
  if (!isObject(value) || typeof value.ouPath !== "string" || typeof value.domainName !== "string") return;
  const ouDomain = ouPathDomain(value.ouPath);
  if (ouDomain !== undefined && ouDomain.toLowerCase() !== value.domainName.toLowerCase()) {
    report(
      ctx,
      ["ouPath"],
      problem(
        `is in domain ${ouDomain}, not in domainName ${value.domainName}`,
        `use an OU of ${value.domainName} (its DC= parts must spell ${value.domainName})`,
      ),
    );
  }
}, always);

const joinTypes = ["AzureActiveDirectory", "ActiveDirectory"] as const satisfies readonly JoinType[];

const domainInfoSchema = strictObject(
  {
    joinType: oneOf(joinTypes, "use AzureActiveDirectory (Entra ID join) or ActiveDirectory"),
    azureActiveDirectoryInfo: strictObject(
      {
        mdmProviderGuid: matching(
          (value) => GUID_PATTERN.test(value),
          "a GUID",
          `use ${INTUNE_MDM_PROVIDER_GUID} (Microsoft Intune), or remove azureActiveDirectoryInfo to skip MDM enrollment`,
        ),
      },
      "set azureActiveDirectoryInfo.mdmProviderGuid",
    ).optional(),
    activeDirectoryInfo: activeDirectoryInfoSchema.optional(),
  },
  "set domainInfo.joinType",
)
  .superRefine((value, ctx) => {
    if (!isObject(value)) return;
    if (value.joinType === "AzureActiveDirectory" && value.activeDirectoryInfo !== undefined) {
      report(
        ctx,
        ["activeDirectoryInfo"],
        problem(
          "does not apply to joinType AzureActiveDirectory",
          "remove activeDirectoryInfo, or set joinType: ActiveDirectory",
        ),
      );
    }
    if (value.joinType === "ActiveDirectory" && value.azureActiveDirectoryInfo !== undefined) {
      report(
        ctx,
        ["azureActiveDirectoryInfo"],
        problem(
          "does not apply to joinType ActiveDirectory",
          "remove azureActiveDirectoryInfo, or set joinType: AzureActiveDirectory",
        ),
      );
    }
    if (value.joinType === "ActiveDirectory" && value.activeDirectoryInfo === undefined) {
      report(
        ctx,
        ["activeDirectoryInfo"],
        missing("joinType ActiveDirectory needs activeDirectoryInfo with domainName and domainCredentials"),
      );
    }
  }, always)
  .transform((value): DomainInfo => {
    if (value.joinType === "ActiveDirectory") {
      return { joinType: "ActiveDirectory", activeDirectoryInfo: value.activeDirectoryInfo! };
    }
    return value.azureActiveDirectoryInfo === undefined
      ? { joinType: "AzureActiveDirectory" }
      : { joinType: "AzureActiveDirectory", azureActiveDirectoryInfo: value.azureActiveDirectoryInfo };
  });

const vmAdminCredentialsSchema = credentialsSchema({
  username: z
    .string({ error: problem("must be a string", "set the local administrator name, e.g. avdadmin") })
    .superRefine((username, ctx) => {
      const found = adminUsernameProblem(username);
      if (found !== undefined) ctx.addIssue({ code: "custom", message: found });
    }),
  usernameExample: "avdadmin",
  passwordProblem: adminPasswordProblem,
  fix: "set vmAdminCredentials with username and password (or their Key Vault secret URIs)",
});

const tagValueSchema = z.preprocess(
  // Pulumi config YAML turns `costCenter: 42` into a number; a tag value is its text.
  (value) =>
    (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean"
      ? String(value)
      : value,
  z
    .string({ error: problem("must be a string", 'quote the value, e.g. costCenter: "42"') })
    .max(TAG_VALUE_MAX, {
      error: problem(`is longer than Azure's ${TAG_VALUE_MAX} characters for a tag value`, "shorten it"),
    }),
);

const vmTagsSchema = z
  .record(z.string(), tagValueSchema, {
    error: problem("must be a mapping of tag names to values", 'use e.g. vmTags: { costCenter: "42" }'),
  })
  .superRefine((tags, ctx) => {
    if (!isObject(tags)) return;
    const names = Object.keys(tags);
    if (names.length > VM_TAGS_MAX) {
      report(
        ctx,
        [],
        problem(
          `has ${names.length} tags; Azure allows 50 per VM and the program adds its own, so at most ${VM_TAGS_MAX}`,
          "remove some tags",
        ),
      );
    }
    const seen = new Map<string, string>();
    for (const name of names) {
      if (name.length === 0 || name.length > TAG_NAME_MAX || /[<>%&\\?/]/.test(name)) {
        report(
          ctx,
          [name],
          problem(
            `is not a valid Azure tag name (1 to ${TAG_NAME_MAX} characters, none of < > % & \\ ? /)`,
            "rename the tag",
          ),
        );
      } else if (name.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
        report(
          ctx,
          [name],
          problem(
            `uses the prefix ${RESERVED_TAG_PREFIX}, which the program reserves for its own tags`,
            "rename the tag",
          ),
        );
      }
      const twin = seen.get(name.toLowerCase());
      if (twin !== undefined) {
        report(
          ctx,
          [name],
          problem(
            `differs from tag ${twin} only in case; Azure tag names are case-insensitive`,
            "keep one of them",
          ),
        );
      }
      seen.set(name.toLowerCase(), name);
    }
  }, always)
  .default({});

export const sessionHostConfigurationSchema = strictObject(
  {
    friendlyName: z
      .string({ error: problem("must be a string", "quote the name, or remove friendlyName") })
      .max(FRIENDLY_NAME_MAX, {
        error: problem(`is longer than Azure's ${FRIENDLY_NAME_MAX} characters`, "shorten it"),
      })
      .optional(),
    vmSizeId: matching(
      (value) => /^(Standard|Basic)_[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value),
      "an Azure VM size name",
      "use a size such as Standard_D4ads_v5 (az vm list-sizes -l <location>)",
    ),
    imageInfo: imageInfoSchema,
    purchasePlan: purchasePlanSchema.optional(),
    diskInfo: diskInfoSchema.default({ type: DEFAULT_DISK_TYPE }),
    securityInfo: securityInfoSchema.default({
      type: "Standard",
      secureBootEnabled: false,
      vTpmEnabled: false,
    }),
    networkInfo: networkInfoSchema,
    availabilityZones: availabilityZonesSchema,
    domainInfo: domainInfoSchema,
    vmAdminCredentials: vmAdminCredentialsSchema,
    customConfigurationScriptUrl: httpsUrl(
      "https://<account>.blob.core.windows.net/scripts/configure.ps1",
    ).optional(),
    bootDiagnosticsInfo: strictObject(
      {
        enabled: boolean("set true or false"),
        storageUri: httpsUrl(
          "https://<account>.blob.core.windows.net/, or remove it for managed storage",
        ).optional(),
      },
      "set bootDiagnosticsInfo.enabled",
    ).default({ enabled: false }),
    monitoring: strictObject(
      {
        dataCollectionRuleId: matching(
          isDataCollectionRuleId,
          "the ARM id of a data collection rule",
          `use ${armIdExamples.dataCollectionRule}`,
        ),
      },
      "set monitoring.dataCollectionRuleId, or remove monitoring",
    ).optional(),
    agentPackageUrl: httpsUrl("https://<account>.blob.core.windows.net/avd/Configuration.zip").optional(),
    vmTags: vmTagsSchema,
  },
  "add avd-rollout:sessionHostConfiguration (see stacks/Pulumi.example.yaml)",
).superRefine((value, ctx) => {
  if (!isObject(value)) return;
  const image = value.imageInfo as ImageInfo | undefined;
  const security = value.securityInfo as SecurityInfo | undefined;
  // `imageInfo` is the raw input when it failed to parse (Azure's `type` may be there alone).
  if (image?.type === "Custom" && image.customInfo?.kind === "managedImage" && security !== undefined) {
    if (security.type !== "Standard") {
      report(
        ctx,
        ["imageInfo", "customInfo", "resourceId"],
        problem(
          `is a managed image, which Azure does not support for ${security.type} VMs`,
          "publish the image to an Azure Compute Gallery (security type TrustedLaunchSupported) and use its id, or set securityInfo.type: Standard",
        ),
      );
    }
  }
}, always);
