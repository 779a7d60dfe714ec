/**
 * The Stack port on Pulumi's Automation API (`@pulumi/pulumi/automation`): a LocalWorkspace on
 * the project directory (Pulumi.yaml, stackConfigDir `stacks`) with an inline program per batch.
 *
 * Deliberately thin: everything it computes — preview verdicts, the ledger read back from state,
 * failure attribution, redaction, drift — lives in the pure modules beside it.
 */
import { dirname } from "node:path";
import { LocalWorkspace, PulumiCommand, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { ConfigMap, EngineEvent, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { BusyError, InputError } from "../core/errors";
import type {
  BatchSpec,
  DeployedHost,
  DesiredPool,
  PreviewVerdict,
  StackPort,
  UpResult,
} from "../core/ports";
import { hasVirtualMachine, type StateLedger } from "../../program/ledger/stateLedger";
import { deployedHostsFromDeployment, ledgerFromDeployment } from "./deployment";
import { cloudDriftFromRefreshEvents, type CloudDrift } from "./drift";
import { driftSteps, plannedSteps, previewVerdict } from "./previewVerdict";
import { defaultCliSearch, locatePulumiCli, pathDirectories, type CliSearch } from "./pulumiCli";
import {
  PulumiCliMissingError,
  PulumiCliVersionError,
  pulumiCliMissingMessage,
  pulumiCliVersionProblem,
} from "./pulumiCli";
import { redactSecrets, secretValuesOfConfig } from "./redact";
import { translateStackError } from "./stackErrors";
import { upFailuresByHost } from "./upFailures";

/** How the adapter reaches the program (A1's config model, A2's resource declarations). */
export interface StackProgramBinding {
  /** Desired pool from the stack's config as `stack.getAllConfig()` returns it (secrets in plaintext). */
  desiredFromConfig(config: ConfigMap): DesiredPool;
  /**
   * The inline program declaring the pool with `batch.hosts` allowed to change. `ledger` is read
   * from the state just before (which hosts it records, with which resources); without it the
   * program reads the ledger its previous update exported (the workspace's own program, which
   * `previewRefresh` runs).
   */
  programFor(batch: { hosts: string[]; generationTime: Date; ledger?: StateLedger }): PulumiFn;
  /** The VM tag that carries a host's configuration revision. */
  revisionTagKey: string;
  /**
   * Called after every engine operation that ran the inline program, whatever its outcome: the
   * program may never learn that the engine is done with it (program/runtime/promiseStackCapture.ts).
   */
  afterEngine?: () => void;
}

export interface AutomationStackOptions {
  stackName: string;
  /** The directory holding Pulumi.yaml (the repository root). */
  projectDir: string;
  binding: StackProgramBinding;
  /** Generation time of the VMs an `up` creates (names them `<host>-<UTC time>`). */
  now?: () => Date;
  /** Every engine event of preview/up/refresh, e.g. for a verbose log. */
  onEngineEvent?: (event: EngineEvent) => void;
  cliSearch?: CliSearch;
  /** Opens the stack; default: a LocalWorkspace on `projectDir` driving the `pulumi` CLI. Tests pass a scripted one. */
  openStack?: (program: PulumiFn) => Promise<StackLike>;
}

/** The slice of the Automation API's `Stack` the adapter uses. */
export type StackLike = Pick<Stack, "exportStack" | "getAllConfig" | "preview" | "up" | "previewRefresh">;

/** Optional capabilities the `drift` command uses when the stack adapter offers them. */
export interface StackDriftProbe {
  /** What a plain `pulumi up` (empty batch) would change. */
  pendingChanges(): Promise<{ urn: string; op: string }[]>;
  /** What `pulumi refresh --preview-only` finds changed in the cloud. */
  cloudDrift(): Promise<CloudDrift[]>;
}

export class AutomationStackAdapter implements StackPort, StackDriftProbe {
  private readonly options: AutomationStackOptions;
  private stackPromise: Promise<StackLike> | undefined;
  private secrets: string[] = [];
  private knownHosts = new Set<string>();
  private desiredHosts = new Set<string>();

  constructor(options: AutomationStackOptions) {
    this.options = options;
  }

  async readDeployedHosts(): Promise<DeployedHost[]> {
    const deployment = await this.run("exportStack", (stack) => stack.exportStack());
    const hosts = deployedHostsFromDeployment(deployment, this.options.binding.revisionTagKey);
    for (const host of hosts) this.knownHosts.add(host.host);
    return hosts;
  }

  /** The stack's config (`pulumi config --show-secrets --json`); its secret values are remembered for redaction. */
  async readConfig(): Promise<ConfigMap> {
    const config = await this.run("getAllConfig", (stack) => stack.getAllConfig());
    this.secrets = secretValuesOfConfig(config);
    return config;
  }

  async readDesired(): Promise<DesiredPool> {
    const desired = this.options.binding.desiredFromConfig(await this.readConfig());
    for (const host of desired.hosts) this.knownHosts.add(host);
    this.desiredHosts = new Set(desired.hosts);
    return desired;
  }

  async preview(batch: BatchSpec): Promise<PreviewVerdict> {
    const { events, ledger } = await this.previewEvents(batch.hosts);
    const unserved = [...this.desiredHosts].filter((host) => !hasVirtualMachine(ledger, host));
    return previewVerdict(events, batch.hosts, this.knownHosts, unserved);
  }

  async up(batch: BatchSpec): Promise<UpResult> {
    await this.ensureKnown();
    const events: EngineEvent[] = [];
    const program = this.programFor(batch.hosts, await this.readLedger());
    try {
      await this.run("up", (stack) =>
        stack.up({
          program,
          color: "never",
          onEvent: (event) => this.collect(events, event),
          message: `avd-rollout batch ${batch.index}`,
        }),
      );
      return { result: "succeeded" };
    } catch (error) {
      const failures = upFailuresByHost(events, [...this.knownHosts, ...batch.hosts], this.secrets);
      const translated = translateStackError(error, "up", this.options.stackName, this.secrets);
      // Only a failed deployment is a failed batch; a lock or a missing CLI changed nothing.
      if (translated instanceof BusyError || translated instanceof PulumiCliMissingError) throw translated;
      const summary = failures.unattributed[0] ?? redactSecrets(translated.message, this.secrets);
      const transient =
        failures.transientHosts.length > 0 ? ` (transient: ${failures.transientHosts.join(", ")})` : "";
      return { result: "failed", error: `${summary}${transient}`, failedHosts: failures.byHost };
    }
  }

  async pendingChanges(): Promise<{ urn: string; op: string }[]> {
    const { events } = await this.previewEvents([]);
    return driftSteps(plannedSteps(events, this.knownHosts)).map((step) => ({ urn: step.urn, op: step.op }));
  }

  async cloudDrift(): Promise<CloudDrift[]> {
    const events: EngineEvent[] = [];
    await this.run("previewRefresh", (stack) =>
      stack.previewRefresh({ color: "never", onEvent: (event) => this.collect(events, event) }),
    );
    return cloudDriftFromRefreshEvents(events);
  }

  private async previewEvents(batchHosts: string[]): Promise<{ events: EngineEvent[]; ledger: StateLedger }> {
    await this.ensureKnown();
    const events: EngineEvent[] = [];
    const ledger = await this.readLedger();
    const program = this.programFor(batchHosts, ledger);
    await this.run("preview", (stack) =>
      stack.preview({ program, color: "never", onEvent: (event) => this.collect(events, event) }),
    );
    return { events, ledger };
  }

  /** The ledger the inline program is given: read from the whole state, just before it runs. */
  private async readLedger(): Promise<StateLedger> {
    const deployment = await this.run("exportStack", (stack) => stack.exportStack());
    return ledgerFromDeployment(deployment);
  }

  /** Host names are needed to attribute resources; read them once if no caller has yet. */
  private async ensureKnown(): Promise<void> {
    if (this.desiredHosts.size === 0) await this.readDesired();
    if (this.knownHosts.size === this.desiredHosts.size) await this.readDeployedHosts();
  }

  private programFor(hosts: string[], ledger: StateLedger): PulumiFn {
    const generationTime = (this.options.now ?? (() => new Date()))();
    return this.options.binding.programFor({ hosts: [...hosts], generationTime, ledger });
  }

  private collect(into: EngineEvent[], event: EngineEvent): void {
    into.push(event);
    this.options.onEngineEvent?.(event);
  }

  private async run<T>(operation: string, action: (stack: StackLike) => Promise<T>): Promise<T> {
    const stack = await this.stack();
    try {
      return await action(stack);
    } catch (error) {
      throw translateStackError(error, operation, this.options.stackName, this.secrets);
    } finally {
      this.options.binding.afterEngine?.();
    }
  }

  private stack(): Promise<StackLike> {
    this.stackPromise ??= this.openStack();
    // A failed open (missing CLI, unknown stack) is reported again on the next call, not cached.
    this.stackPromise.catch(() => (this.stackPromise = undefined));
    return this.stackPromise;
  }

  private async openStack(): Promise<StackLike> {
    // The workspace's own program (previewRefresh runs it): no batch, the ledger read by the program.
    const workspaceProgram = this.options.binding.programFor({
      hosts: [],
      generationTime: (this.options.now ?? (() => new Date()))(),
    });
    if (this.options.openStack) {
      try {
        return await this.options.openStack(workspaceProgram);
      } catch (error) {
        throw this.openError(error);
      }
    }
    const search = this.options.cliSearch ?? defaultCliSearch();
    const cliDir = locatePulumiCli(search);
    if (cliDir === null) throw new PulumiCliMissingError(pulumiCliMissingMessage(search));
    const onPath = pathDirectories(search).includes(cliDir);
    let pulumiCommand: PulumiCommand;
    try {
      pulumiCommand = await PulumiCommand.get(onPath ? {} : { root: dirname(cliDir) });
    } catch (error) {
      throw translateStackError(error, "version", this.options.stackName, this.secrets);
    }
    const versionProblem = pulumiCliVersionProblem(pulumiCommand.version, cliDir, search.env);
    if (versionProblem !== null) throw new PulumiCliVersionError(versionProblem);
    const { stackName, projectDir } = this.options;
    try {
      return await LocalWorkspace.selectStack(
        { stackName, projectName: "avd-rollout", program: workspaceProgram },
        { workDir: projectDir, pulumiCommand },
      );
    } catch (error) {
      throw this.openError(error);
    }
  }

  private openError(error: unknown): Error {
    const { stackName, projectDir } = this.options;
    if (error instanceof StackNotFoundError || /no stack named|stack .* not found/i.test(String(error))) {
      return new InputError(
        `--stack ${stackName}: no such stack in the project at ${projectDir}; create it with \`pulumi stack init ${stackName}\` ` +
          `and its config in stacks/Pulumi.${stackName}.yaml, or name an existing stack (\`pulumi stack ls\`)`,
      );
    }
    return translateStackError(error, "select", stackName, this.secrets);
  }
}
