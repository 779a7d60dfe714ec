/**
 * The real world for the operations commands: the Azure SDK adapters (automation/azure) for the
 * host pool and its VMs, and the Automation API stack adapter (automation/pulumi) for the stack.
 * Which host pool, subscription and cloud come from the stack's own configuration, so `--stack`
 * is all an operator names. The credential comes from the environment: in GitHub Actions and Azure
 * Pipelines one that renews its federated login (automation/azure/pipelineCredentials.ts), used
 * by the SDK clients and, for every stack operation, by the azure-native provider too.
 */
import { createAzureEnvironment } from "../azure/createAzureEnvironment";
import { createAzurePorts } from "../azure/createAzurePorts";
import { cloudFromConfig } from "../azure/clouds";
import { resolveSubscriptionId } from "../azure/credentials";
import { chooseCredential } from "../azure/pipelineCredentials";
import { providerEnvironment } from "../azure/providerCredentials";
import { sessionHostsProgram } from "../../program/stackProgram";
import { preflightTargetOf } from "../preflight/target";
import { programBinding, stackConfigOf } from "../pulumi/programBinding";
import { AutomationStackAdapter } from "../pulumi/stackAdapter";
import { withProviderCredentials } from "./credentialedStack";
import type { CliIo } from "./io";
import { projectDirectory } from "./packageFiles";
import type { StackSession } from "./portsFactory";
import { systemClock } from "./systemClock";

/** Credential notes already logged by this process (`status --all` opens many stacks). */
const loggedNotes = new Set<string>();

export async function createRealPorts(stackName: string, io: CliIo): Promise<StackSession> {
  const adapter = new AutomationStackAdapter({
    stackName,
    projectDir: projectDirectory(),
    binding: programBinding((batch) => sessionHostsProgram(batch)),
  });
  const rawConfig = await adapter.readConfig();
  const config = stackConfigOf(rawConfig);
  const subscriptionId = resolveSubscriptionId(rawConfig["azure-native:subscriptionId"]?.value, io.env);
  const cloud = cloudFromConfig(rawConfig["azure-native:environment"]?.value);
  // One credential for every client: one sign-in, one token cache.
  const choice = chooseCredential(cloud, io.env);
  const { credential } = choice;
  for (const note of choice.notes.filter((n) => !loggedNotes.has(n))) {
    loggedNotes.add(note);
    io.err(`${note}\n`);
  }
  const stack = withProviderCredentials(adapter, () => providerEnvironment(choice, subscriptionId, io.env));
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
