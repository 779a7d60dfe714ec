/**
 * zod 4 schemas of the stack configuration (SPEC.md §3): namespace `avd-rollout` keys `hostPool`,
 * `sessionHosts`, `sessionHostConfiguration`, `update`, plus `azure-native:location` (required: the
 * VMs' location) and `azure-native:subscriptionId` (optional).
 *
 * Every object is strict (an unknown key is an error, with "did you mean"), every limit is Azure's
 * (limits.ts), and every message says what is wrong and how to fix it (messages.ts). Cross-field
 * rules run even when a field failed (`when: always`), so one run reports every problem.
 * The session host configuration's schema is in sessionHostConfigurationSchema.ts, the builders
 * in schemaBuilders.ts.
 */
import { z } from "zod";
import { GUID_PATTERN } from "./armIds";
import { configKeys } from "./keys";
import {
  DEFAULT_UPDATE_POLICY,
  LOG_OFF_DELAY_MINUTES_MAX,
  LOG_OFF_MESSAGE_MAX,
  SESSION_HOST_COUNT_MAX,
} from "./limits";
import { missing, problem } from "./messages";
import { always, boolean, integer, matching, report, strictObject } from "./schemaBuilders";
import { sessionHostConfigurationSchema } from "./sessionHostConfigurationSchema";
import type { StackConfig } from "./types";
import { hostNameLengthProblem, vmNamePrefixProblem } from "./windowsRules";

export { sessionHostConfigurationSchema };

// ---------------------------------------------------------------------------------------------
// azure-native:location / subscriptionId

export const locationSchema = z.preprocess(
  // ARM's programmatic names: "West Europe" and "westeurope" are the same region.
  (value) => (typeof value === "string" ? value.replace(/\s+/g, "").toLowerCase() : value),
  matching(
    (value) => /^[a-z][a-z0-9]*$/.test(value),
    "an Azure region name",
    "pulumi config set azure-native:location westeurope (az account list-locations -o table lists the names)",
  ),
);

export const subscriptionIdSchema = matching(
  (value) => GUID_PATTERN.test(value),
  "a subscription id (a GUID)",
  "pulumi config set azure-native:subscriptionId <subscription-guid> (az account show --query id)",
);

// ---------------------------------------------------------------------------------------------
// avd-rollout:hostPool

export const hostPoolSchema = strictObject(
  {
    name: matching(
      (value) => /^[A-Za-z0-9@.\-_ ]{3,64}$/.test(value),
      "an AVD host pool name (3 to 64 letters, digits, spaces, @ . - _)",
      "set the name of the existing host pool, e.g. hp-prod",
    ),
    resourceGroupName: matching(
      (value) => /^[-\w.()\p{L}]{1,90}$/u.test(value) && !value.endsWith("."),
      "a resource group name (1 to 90 letters, digits, - _ . ( ), not ending with .)",
      "set the host pool's resource group, e.g. rg-avd",
    ),
  },
  "add avd-rollout:hostPool with name and resourceGroupName of the existing host pool",
);

// ---------------------------------------------------------------------------------------------
// avd-rollout:sessionHosts

export const sessionHostsSchema = strictObject(
  {
    vmNamePrefix: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? missing("set vmNamePrefix, e.g. avdprod")
            : problem("must be a string", "set vmNamePrefix, e.g. avdprod"),
      })
      .superRefine((prefix, ctx) => {
        const found = vmNamePrefixProblem(prefix);
        if (found !== undefined) ctx.addIssue({ code: "custom", message: found });
      }),
    count: integer(
      1,
      SESSION_HOST_COUNT_MAX,
      `set the number of session hosts, 1 to ${SESSION_HOST_COUNT_MAX} (split larger pools)`,
    ),
    vmResourceGroup: matching(
      (value) => /^[-\w.()\p{L}]{1,90}$/u.test(value) && !value.endsWith("."),
      "a resource group name (1 to 90 letters, digits, - _ . ( ), not ending with .)",
      "set an existing resource group, or remove vmResourceGroup to use the host pool's",
    ).optional(),
  },
  "add avd-rollout:sessionHosts with vmNamePrefix and count",
).superRefine((value, ctx) => {
  if (typeof value?.vmNamePrefix !== "string" || !Number.isInteger(value.count)) return;
  if (value.count < 1 || value.count > SESSION_HOST_COUNT_MAX) return; // already reported
  if (vmNamePrefixProblem(value.vmNamePrefix) !== undefined) return;
  const found = hostNameLengthProblem(value.vmNamePrefix, value.count);
  if (found !== undefined) report(ctx, ["count"], found);
}, always);

// ---------------------------------------------------------------------------------------------
// avd-rollout:update

export const updateSchema = strictObject(
  {
    maxVmsRemoved: integer(1, undefined, "set the batch size, a whole number >= 1").default(
      DEFAULT_UPDATE_POLICY.maxVmsRemoved,
    ),
    logOffDelayMinutes: integer(
      0,
      LOG_OFF_DELAY_MINUTES_MAX,
      `set the minutes users get between the notice and sign-out, 0 to ${LOG_OFF_DELAY_MINUTES_MAX}`,
    ).default(DEFAULT_UPDATE_POLICY.logOffDelayMinutes),
    logOffMessage: z
      .string({ error: problem("must be a string", "quote the message") })
      .max(LOG_OFF_MESSAGE_MAX, {
        error: problem(`is longer than Azure's ${LOG_OFF_MESSAGE_MAX} characters`, "shorten the message"),
      })
      .default(DEFAULT_UPDATE_POLICY.logOffMessage),
    deleteOriginalVm: boolean("set true to delete the original VM, false to keep it deallocated").default(
      DEFAULT_UPDATE_POLICY.deleteOriginalVm,
    ),
  },
  "set avd-rollout:update, or remove it for the defaults",
).default({ ...DEFAULT_UPDATE_POLICY });

// ---------------------------------------------------------------------------------------------
// The whole stack configuration

export const stackConfigSchema = z
  .object({
    [configKeys.location]: locationSchema,
    [configKeys.subscriptionId]: subscriptionIdSchema.optional(),
    [configKeys.hostPool]: hostPoolSchema,
    [configKeys.sessionHosts]: sessionHostsSchema,
    [configKeys.sessionHostConfiguration]: sessionHostConfigurationSchema,
    [configKeys.update]: updateSchema,
  })
  .transform((raw): StackConfig => {
    const hostPool = raw[configKeys.hostPool];
    const sessionHosts = raw[configKeys.sessionHosts];
    const subscriptionId = raw[configKeys.subscriptionId];
    return {
      location: raw[configKeys.location],
      ...(subscriptionId === undefined ? {} : { subscriptionId }),
      hostPool,
      sessionHosts: {
        vmNamePrefix: sessionHosts.vmNamePrefix,
        count: sessionHosts.count,
        vmResourceGroup: sessionHosts.vmResourceGroup ?? hostPool.resourceGroupName,
      },
      sessionHostConfiguration: raw[configKeys.sessionHostConfiguration],
      update: raw[configKeys.update],
    };
  });
