/**
 * A stack whose engine is the model (engineModel.ts): the real program runs under the mock
 * runtime, what it registers becomes the model's goals, the model plans and applies the update,
 * and the driver's side is the real code — the ledger read back from state
 * (automation/pulumi/deployment.ts) and the preview verdict (automation/pulumi/previewVerdict.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Deployment, EngineEvent } from "@pulumi/pulumi/automation";
import type { DeployedHost } from "../../../automation/core/ports";
import { deployedHostsFromDeployment, ledgerFromDeployment } from "../../../automation/pulumi/deployment";
import { previewVerdict } from "../../../automation/pulumi/previewVerdict";
import { hasVirtualMachine } from "../../../program/ledger/stateLedger";
import type * as StackProgramModule from "../../../program/stackProgram";
import { revealSerialized, type CapturedRegistration, type MockRuntime } from "../mockRuntime";
import {
  apply,
  plan,
  touchesAzure,
  type Goal,
  type InjectedFailure,
  type Plan,
  type StateEntry,
  type Step,
} from "./engineModel";

const REVISION_TAG = "avd-rollout-revision";

export function goalOf(registration: CapturedRegistration): Goal {
  const request = registration.request;
  return {
    urn: `urn:pulumi:test::avd-rollout::${registration.type}::${registration.name}`,
    type: registration.type,
    name: registration.name,
    inputs: revealSerialized(registration.object) as Record<string, unknown>,
    protect: request.protect === true,
    ignoreChanges: [...request.ignorechangesList],
    deleteBeforeReplace: request.deletebeforereplacedefined ? request.deletebeforereplace : undefined,
    retainOnDelete: request.retainondelete === true,
    dependencies: [...request.dependenciesList],
    propertyDependencies: Object.fromEntries(
      request.propertydependenciesMap.map(([key, deps]) => [key, [...deps.urnsList]]),
    ),
  };
}

/** The engine events a plan would produce (the resource pre-events the driver's verdict reads). */
export function eventsOf(steps: readonly Step[]): EngineEvent[] {
  return steps.map((step, sequence) => {
    const meta = (entry: StateEntry | undefined) =>
      entry && {
        type: entry.type,
        urn: entry.urn,
        id: entry.outputs.id,
        parent: "urn:pulumi:test::avd-rollout::pulumi:pulumi:Stack::avd-rollout-test",
        inputs: {},
        outputs: {},
        provider: "",
        protect: entry.protect,
        delete: entry.delete,
        retainOnDelete: entry.retainOnDelete,
      };
    const type = (step.new ?? step.old)!.type;
    return {
      sequence,
      timestamp: sequence,
      resourcePreEvent: {
        metadata: {
          op: step.op,
          urn: step.urn,
          type,
          provider: "",
          old: meta(step.old),
          new: meta(step.new),
        },
      },
    };
  });
}

export function hostOfUrn(urn: string): string {
  const name = urn.slice(urn.lastIndexOf("::") + 2);
  return /^(.*?-\d+)-/.exec(name)?.[1] ?? name;
}

export interface UpdateResult {
  /** The program refused before declaring anything (its message). */
  refused?: string;
  plan?: Plan;
  /** For an `up`: whether it failed. */
  failed?: boolean;
  /** Steps that call the provider, by host. */
  touched: Map<string, Step[]>;
}

export interface Batch {
  hosts: string[];
}

/** The stack: its state, its previous outputs, and a clock naming each update's generation. */
export class ModelStack {
  state: StateEntry[] = [];
  /** What the last completed update exported (what a plain `pulumi up` reads back). */
  outputs: Record<string, unknown> = {};
  private minute = 0;
  /** Rewrites what the program registered before the model sees it (to model another program). */
  transformGoals: (goals: Goal[], batch: Batch | "plain") => Goal[] = (goals) => goals;

  constructor(
    private readonly runtime: MockRuntime,
    private readonly program: typeof StackProgramModule,
  ) {}

  /** Sets the stack configuration the program reads (full key names, as Pulumi hands them over). */
  configure(raw: Record<string, unknown>): void {
    const config = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    );
    pulumi.runtime.setAllConfig(config, ["avd-rollout:sessionHostConfiguration"]);
  }

  deployment(): Deployment {
    return {
      version: 3,
      deployment: {
        resources: this.state.map((entry) => ({
          urn: entry.urn,
          type: entry.type,
          id: entry.outputs.id,
          outputs: entry.outputs,
          delete: entry.delete,
          pendingReplacement: entry.pendingReplacement,
          ...(entry.initErrors
            ? { initErrors: ["the create failed after Azure accepted the resource"] }
            : {}),
        })),
      },
    };
  }

  deployedHosts(): Map<string, DeployedHost> {
    return new Map(deployedHostsFromDeployment(this.deployment(), REVISION_TAG).map((h) => [h.host, h]));
  }

  /** Runs the program; `driver` batches get the ledger from the state as the driver does. */
  private async goals(
    batch: Batch | "plain",
  ): Promise<{ goals: Goal[]; outputs: Record<string, unknown> } | { refused: string }> {
    this.runtime.reset();
    this.runtime.previousStackOutputs = this.outputs;
    this.minute += 1;
    const generationTime = new Date(Date.UTC(2026, 3, 15, 17, this.minute, 7));
    try {
      const outputs = await this.program.runSessionHostsProgram(
        batch === "plain"
          ? { hosts: [], generationTime }
          : { hosts: batch.hosts, generationTime, ledger: ledgerFromDeployment(this.deployment()) },
      );
      await this.runtime.settle();
      const sessionHosts = Object.fromEntries(
        Object.entries(outputs.sessionHosts).map(([host, out]) => [
          host,
          { resources: out.resources, dataCollectionRuleId: out.dataCollectionRuleId },
        ]),
      );
      return {
        goals: this.transformGoals(this.runtime.registrations.map(goalOf), batch),
        outputs: { configurationRevision: outputs.configurationRevision, sessionHosts },
      };
    } catch (error) {
      return { refused: error instanceof Error ? error.message : String(error) };
    }
  }

  private touched(steps: readonly Step[]): Map<string, Step[]> {
    const byHost = new Map<string, Step[]>();
    for (const step of steps.filter(touchesAzure)) {
      const host = hostOfUrn(step.urn);
      byHost.set(host, [...(byHost.get(host) ?? []), step]);
    }
    return byHost;
  }

  async preview(batch: Batch | "plain"): Promise<UpdateResult> {
    const run = await this.goals(batch);
    if ("refused" in run) return { refused: run.refused, touched: new Map() };
    const planned = plan(this.state, run.goals, { preview: true });
    return { plan: planned, touched: this.touched(planned.steps) };
  }

  async up(batch: Batch | "plain", failure?: InjectedFailure): Promise<UpdateResult> {
    const run = await this.goals(batch);
    if ("refused" in run) return { refused: run.refused, touched: new Map() };
    const planned = plan(this.state, run.goals, { preview: false });
    const outcome = apply(this.state, planned, failure);
    this.state = outcome.state;
    // A failed update never registers the program's outputs: the previous ones stay.
    if (!outcome.failed) this.outputs = run.outputs;
    return { plan: planned, failed: outcome.failed, touched: this.touched(outcome.ran) };
  }

  /** The driver's verdict on a batch preview (the real code), given the hosts configured. */
  verdict(result: UpdateResult, batch: Batch, configuredHosts: readonly string[]): string[] {
    const ledger = ledgerFromDeployment(this.deployment());
    const unserved = configuredHosts.filter((host) => !hasVirtualMachine(ledger, host));
    return previewVerdict(eventsOf(result.plan?.steps ?? []), batch.hosts, configuredHosts, unserved)
      .outsideBatchChanges;
  }
}
