/**
 * How the stack adapter reaches the program: A1's configuration model for the desired pool
 * (the same parse, revision and host names the program uses, so driver and program agree), and
 * A2's program function for the inline program of a batch.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { DesiredPool } from "../core/ports";
import {
  configurationRevision,
  desiredHostNames,
  parseStackConfig,
  type StackConfig,
} from "../../program/config";
import { autonamingProblem } from "../../program/runtime/engineGuards";
import { REVISION_TAG_KEY, restorePromiseStackCapture } from "../../program/stackProgram";
import { InputError } from "../core/errors";
import type { StackProgramBinding } from "./stackAdapter";

/** The desired pool of a parsed stack configuration. */
export function desiredPoolOf(config: StackConfig): DesiredPool {
  const { update } = config;
  return {
    revision: configurationRevision(config),
    hosts: desiredHostNames(config),
    update: {
      maxVmsRemoved: update.maxVmsRemoved,
      logOffDelayMinutes: update.logOffDelayMinutes,
      logOffMessage: update.logOffMessage,
      deleteOriginalVm: update.deleteOriginalVm,
    },
  };
}

/**
 * The parsed configuration of `stack.getAllConfig()` (InputError naming the key when invalid).
 * Also refuses stack settings that would make the engine override the program's resource
 * options (program/runtime/engineGuards.ts), before any update runs.
 */
export function stackConfigOf(config: ConfigMap): StackConfig {
  const refusal = autonamingProblem(config);
  if (refusal !== null) throw new InputError(refusal);
  return parseStackConfig(config);
}

export function programBinding(programFor: StackProgramBinding["programFor"]): StackProgramBinding {
  return {
    revisionTagKey: REVISION_TAG_KEY,
    desiredFromConfig: (config) => desiredPoolOf(stackConfigOf(config)),
    programFor,
    afterEngine: restorePromiseStackCapture,
  };
}
