/**
 * Attribution of a failed `up` to hosts: which hosts' resources failed, why (secrets redacted),
 * and whether retrying could help (spec section 5.6: ARM throttling and 5xx,
 * `AgentRegistrationFailureGeneric` and registration timeouts are transient).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { isTransientMessage } from "../core/retryPolicy";
import { hostMatcher, hostOfUrn } from "./hostOfResource";
import { redactSecrets } from "./redact";

export interface UpFailures {
  /** Host → first error message of its resources (redacted, trimmed). */
  byHost: Record<string, string>;
  /** Hosts all of whose errors are transient. */
  transientHosts: string[];
  /** Error messages that could not be attributed to a host (redacted). */
  unattributed: string[];
}

/** The driver's own classification (core/retryPolicy), so adapter and driver never disagree. */
export function isTransientFailureMessage(message: string): boolean {
  return isTransientMessage(message);
}

const MAX_MESSAGE_LENGTH = 600;

/**
 * The CLI's colour markup (`<{%reset%}>`, `<{%fg 1%}>`): engine events carry messages with it
 * when written uncoloured (the engine's recorded streams show it), so it is dropped.
 */
export function withoutColourTags(text: string): string {
  return text.replace(/<\{%[^%]*%\}>/g, "");
}

function tidy(message: string, secretValues: readonly string[]): string {
  const oneLine = redactSecrets(withoutColourTags(message), secretValues).replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH)}…` : oneLine;
}

/** Groups the error diagnostics and failed resource operations of an `up` by host. */
export function upFailuresByHost(
  events: readonly EngineEvent[],
  knownHosts: Iterable<string>,
  secretValues: readonly string[] = [],
): UpFailures {
  const match = hostMatcher(knownHosts);
  const messagesByHost = new Map<string, string[]>();
  const failedWithoutMessage = new Set<string>();
  const unattributed: string[] = [];
  for (const event of events) {
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && diagnostic.severity === "error" && diagnostic.message.trim() !== "") {
      const host = diagnostic.urn ? hostOfUrn(diagnostic.urn, match) : null;
      const message = tidy(diagnostic.message, secretValues);
      if (host === null) {
        unattributed.push(message);
      } else {
        const list = messagesByHost.get(host) ?? [];
        list.push(message);
        messagesByHost.set(host, list);
      }
    }
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) {
      const host = hostOfUrn(failed.urn, match, failed.new?.parent ?? failed.old?.parent);
      if (host !== null) failedWithoutMessage.add(host);
    }
  }
  for (const host of failedWithoutMessage) {
    if (!messagesByHost.has(host))
      messagesByHost.set(host, [`a resource of ${host} failed without a diagnostic message`]);
  }
  const byHost: Record<string, string> = {};
  const transientHosts: string[] = [];
  for (const [host, messages] of messagesByHost) {
    byHost[host] = messages[0] ?? "";
    if (messages.every(isTransientFailureMessage)) transientHosts.push(host);
  }
  return { byHost, transientHosts, unattributed };
}
