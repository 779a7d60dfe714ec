/**
 * The real world for the operations commands: the Azure SDK adapters (automation/azure) for the
 * host pool and its VMs, and the Automation API stack adapter (automation/pulumi) for the stack.
 * Which host pool, subscription and cloud come from the stack's own configuration, so `--stack`
 * is all an operator names.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createAzureEnvironment } from "../azure/createAzureEnvironment";
import { createAzurePorts } from "../azure/createAzurePorts";
import { cloudFromConfig } from "../azure/clouds";
import { defaultCredential, resolveSubscriptionId } from "../azure/credentials";
import { sessionHostsProgram } from "../../program/stackProgram";
import { preflightTargetOf } from "../preflight/target";
import { programBinding, stackConfigOf } from "../pulumi/programBinding";
import { AutomationStackAdapter } from "../pulumi/stackAdapter";
import type { CliIo } from "./io";
import type { StackSession } from "./portsFactory";
import { systemClock } from "./systemClock";

/** The directory of the avd-rollout Pulumi project: the nearest Pulumi.yaml up from `start` naming it, else this package's root. */
export function projectDirectory(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, "Pulumi.yaml");
    if (existsSync(file) && /^name:\s*avd-rollout\s*$/m.test(readFileSync(file, "utf8"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(__dirname, "..", "..");
}

export async function createRealPorts(stackName: string, io: CliIo): Promise<StackSession> {
  const stack = new AutomationStackAdapter({
    stackName,
    projectDir: projectDirectory(),
    binding: programBinding((batch) => sessionHostsProgram(batch)),
  });
  const rawConfig = await stack.readConfig();
  const config = stackConfigOf(rawConfig);
  const subscriptionId = resolveSubscriptionId(rawConfig["azure-native:subscriptionId"]?.value, io.env);
  const cloud = cloudFromConfig(rawConfig["azure-native:environment"]?.value);
  // One credential for every client: one sign-in, one token cache.
  const credential = defaultCredential(cloud);
  const azure = createAzurePorts({
    subscriptionId,
    hostPool: { name: config.hostPool.name, resourceGroupName: config.hostPool.resourceGroupName },
    cloud,
    credential,
  });
  return {
    ports: { hostPool: azure.hostPool, compute: azure.compute, stack, clock: systemClock },
    drift: stack,
    preflight: {
      target: preflightTargetOf(config, subscriptionId),
      environment: createAzureEnvironment({ subscriptionId, cloud, credential }),
    },
  };
}
