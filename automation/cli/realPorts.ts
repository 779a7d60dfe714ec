/**
 * The real world for the operations commands: the Azure SDK adapters (automation/azure) for the
 * host pool and its VMs, and the Automation API stack adapter (automation/pulumi) for the stack.
 * Which host pool, subscription and cloud come from the stack's own configuration, so `--stack`
 * is all an operator names.
 */
import { createAzureEnvironment } from "../azure/createAzureEnvironment";
import { createAzurePorts } from "../azure/createAzurePorts";
import { cloudFromConfig } from "../azure/clouds";
import { defaultCredential, resolveSubscriptionId } from "../azure/credentials";
import { sessionHostsProgram } from "../../program/stackProgram";
import { preflightTargetOf } from "../preflight/target";
import { programBinding, stackConfigOf } from "../pulumi/programBinding";
import { AutomationStackAdapter } from "../pulumi/stackAdapter";
import type { CliIo } from "./io";
import { projectDirectory } from "./packageFiles";
import type { StackSession } from "./portsFactory";
import { systemClock } from "./systemClock";

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
