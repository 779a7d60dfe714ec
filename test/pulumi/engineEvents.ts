/** Builders of Automation API engine events, shaped as the Pulumi CLI emits them. */
import type { EngineEvent, OpType, StepEventStateMetadata } from "@pulumi/pulumi/automation";

export const STACK_URN = "urn:pulumi:prod::avd-rollout::pulumi:pulumi:Stack::avd-rollout-prod";

export function urnOf(type: string, name: string, parentType?: string): string {
  const chain = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:prod::avd-rollout::${chain}::${name}`;
}

let sequence = 0;

function state(urn: string, type: string, parent: string): StepEventStateMetadata {
  return { type, urn, id: "", parent, inputs: {}, outputs: {}, provider: "" };
}

export function preEvent(
  op: OpType,
  urn: string,
  type = "azure-native:compute:VirtualMachine",
  parent = STACK_URN,
): EngineEvent {
  sequence += 1;
  return {
    sequence,
    timestamp: sequence,
    resourcePreEvent: {
      metadata: { op, urn, type, provider: "", old: state(urn, type, parent), new: state(urn, type, parent) },
    },
  };
}

export function diagnostic(
  message: string,
  urn?: string,
  severity: "error" | "warning" | "info" = "error",
): EngineEvent {
  sequence += 1;
  return {
    sequence,
    timestamp: sequence,
    diagnosticEvent: { message, color: "never", severity, ...(urn ? { urn } : {}) },
  };
}

export function opFailed(urn: string): EngineEvent {
  sequence += 1;
  return {
    sequence,
    timestamp: sequence,
    resOpFailedEvent: {
      status: 1,
      steps: 1,
      metadata: { op: "create", urn, type: "azure-native:compute:VirtualMachine", provider: "" },
    },
  };
}
