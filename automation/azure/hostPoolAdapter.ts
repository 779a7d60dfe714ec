/**
 * HostPoolPort on the AVD data plane: @azure/arm-desktopvirtualization 1.2.0, api-version
 * 2024-04-03 (Microsoft.DesktopVirtualization).
 *
 * Every write is idempotent and verified by a re-read where the service can apply a write late
 * (drain) or another writer can interleave (the record). Retries draw on the port call's one
 * budget (automation/core/retryBudget.ts). Failures leave as PortError naming the call and the
 * host; registration tokens are never returned, logged or put in a message.
 */
import { AsyncResource } from "node:async_hooks";
import type {
  DesktopVirtualizationAPIClient,
  HostPool,
  SessionHost,
  UserSession,
} from "@azure/arm-desktopvirtualization";
import pLimit from "p-limit";
import { PortError } from "../core/errors";
import { activeBudget, failureFacts } from "../core/retryBudget";
import type {
  HostPoolInfo,
  HostPoolPort,
  SessionHostInfo,
  SessionHostStatus,
  SessionState,
  StoredRecord,
  UserSessionInfo,
} from "../core/ports";
import type { RolloutRecord } from "../core/record";
import { parseUserSessionId, sessionHostNameOf } from "./armIds";
import { isNotFound, toPortError } from "./armErrors";
import { RecordTagsError, decodeRecord, tokenOf } from "./recordTags";
import { RecordWriter } from "./recordWrite";
import { singleAttempt } from "./retryPolicy";
import { type AdapterTuning, type AdapterTuningInput, withDefaults } from "./tuning";

export interface HostPoolRef {
  name: string;
  resourceGroupName: string;
}

/** Azure accepts a registration token expiry between 1 hour and about 30 days ahead. */
export const MIN_TOKEN_VALIDITY_MINUTES = 60;
export const MAX_TOKEN_VALIDITY_MINUTES = 30 * 24 * 60;
/** Asked for on top of the caller's need, so the token is not at the edge when read. */
const TOKEN_MARGIN_MINUTES = 10;

const SESSION_HOST_STATUSES: ReadonlySet<string> = new Set<SessionHostStatus>([
  "Available",
  "Unavailable",
  "Shutdown",
  "Disconnected",
  "Upgrading",
  "UpgradeFailed",
  "NoHeartbeat",
  "NotJoinedToDomain",
  "DomainTrustRelationshipLost",
  "SxSStackListenerNotReady",
  "FSLogixNotHealthy",
  "NeedsAssistance",
]);

const SESSION_STATES: ReadonlySet<string> = new Set<SessionState>([
  "Unknown",
  "Active",
  "Disconnected",
  "Pending",
  "LogOff",
  "UserProfileDiskMounted",
]);

/**
 * A status AVD may add later is reported as `Unavailable`: only `Available` counts as serving,
 * so an unknown status must never be mistaken for a healthy one.
 */
export function toSessionHostStatus(status: string | undefined): SessionHostStatus {
  return status !== undefined && SESSION_HOST_STATUSES.has(status)
    ? (status as SessionHostStatus)
    : "Unavailable";
}

export function toSessionHostInfo(host: SessionHost): SessionHostInfo {
  const info: SessionHostInfo = {
    name: sessionHostNameOf(host.name ?? ""),
    resourceId: host.resourceId ?? "",
    status: toSessionHostStatus(host.status),
    // AVD's default is to allow new sessions; an absent flag is not drain mode.
    allowNewSession: host.allowNewSession !== false,
    sessions: host.sessions ?? 0,
  };
  if (host.lastHeartBeat) info.lastHeartBeat = toIso(host.lastHeartBeat);
  return info;
}

export function toUserSessionInfo(session: UserSession, fallbackHost?: string): UserSessionInfo | undefined {
  const fromId = session.id ? parseUserSessionId(session.id) : undefined;
  const nameParts = (session.name ?? "").split("/");
  const id = fromId?.sessionId ?? nameParts[nameParts.length - 1];
  const sessionHostName = fromId?.sessionHostName ?? (nameParts.length >= 3 ? nameParts[1] : fallbackHost);
  if (!id || !sessionHostName) return undefined;
  const info: UserSessionInfo = {
    sessionHostName,
    id,
    userPrincipalName: session.userPrincipalName ?? "",
    sessionState:
      session.sessionState && SESSION_STATES.has(session.sessionState)
        ? (session.sessionState as SessionState)
        : "Unknown",
  };
  if (session.createTime) info.createTime = toIso(session.createTime);
  return info;
}

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export class AzureHostPoolAdapter implements HostPoolPort {
  private readonly tuning: AdapterTuning;
  private readonly limit: pLimit.Limit;

  constructor(
    private readonly client: DesktopVirtualizationAPIClient,
    private readonly pool: HostPoolRef,
    tuning?: AdapterTuningInput,
  ) {
    this.tuning = withDefaults(tuning);
    this.limit = pLimit(Math.max(1, this.tuning.bulkConcurrency));
  }

  private op(call: string, subject?: string): string {
    return `hostPool.${call}(${subject ?? this.pool.name})`;
  }

  private portError(error: unknown, operation: string, secrets: readonly string[] = []): PortError {
    return toPortError(error, operation, secrets, (this.tuning.retry.now ?? Date.now)());
  }

  /**
   * Runs `work` when a bulk slot is free, in the caller's async context: the call's retry budget
   * (its scope) must travel with it, not with whichever call freed the slot.
   */
  private bulk(work: () => Promise<void>): Promise<void> {
    return this.limit(AsyncResource.bind(work));
  }

  async getHostPoolInfo(): Promise<HostPoolInfo> {
    const pool = await this.getPool(this.op("getHostPoolInfo"));
    const type = pool.loadBalancerType;
    return {
      // A pool without a limit reads as AVD's default (999999): every host has room.
      maxSessionLimit: pool.maxSessionLimit ?? 999_999,
      loadBalancerType:
        type === "DepthFirst" || type === "Persistent" || type === "MultiplePersistent"
          ? type
          : "BreadthFirst",
    };
  }

  async listSessionHosts(): Promise<SessionHostInfo[]> {
    const operation = this.op("listSessionHosts");
    try {
      const hosts: SessionHostInfo[] = [];
      for await (const host of this.client.sessionHosts.list(this.pool.resourceGroupName, this.pool.name)) {
        hosts.push(toSessionHostInfo(host));
      }
      return hosts;
    } catch (error) {
      throw this.portError(error, operation);
    }
  }

  async listUserSessions(sessionHostName?: string): Promise<UserSessionInfo[]> {
    const operation = this.op("listUserSessions", sessionHostName);
    const { resourceGroupName, name } = this.pool;
    try {
      const pages = sessionHostName
        ? this.client.userSessions.list(resourceGroupName, name, sessionHostName)
        : this.client.userSessions.listByHostPool(resourceGroupName, name);
      const sessions: UserSessionInfo[] = [];
      for await (const session of pages) {
        const info = toUserSessionInfo(session, sessionHostName);
        if (info) sessions.push(info);
      }
      return sessions;
    } catch (error) {
      // The sessions of a host that is gone: there are none.
      if (sessionHostName && isNotFound(error)) return [];
      throw this.portError(error, operation);
    }
  }

  /** A session that is gone (404) needs no notice: success. */
  sendMessage(sessionHostName: string, sessionId: string, title: string, body: string): Promise<void> {
    return this.bulk(async () => {
      try {
        await this.client.userSessions.sendMessage(
          this.pool.resourceGroupName,
          this.pool.name,
          sessionHostName,
          sessionId,
          {
            sendMessage: { messageTitle: title, messageBody: body },
          },
        );
      } catch (error) {
        if (isNotFound(error)) return;
        throw this.portError(error, this.op("sendMessage", `${sessionHostName}/${sessionId}`));
      }
    });
  }

  signOut(sessionHostName: string, sessionId: string): Promise<void> {
    return this.bulk(async () => {
      try {
        await this.client.userSessions.delete(
          this.pool.resourceGroupName,
          this.pool.name,
          sessionHostName,
          sessionId,
          {
            force: true,
          },
        );
      } catch (error) {
        if (isNotFound(error)) return;
        throw this.portError(error, this.op("signOut", `${sessionHostName}/${sessionId}`));
      }
    });
  }

  /**
   * Reads first (no write when the host already reports the wanted mode), writes, then re-reads
   * until the host reports it: a PATCH that timed out may still apply later, and an agent
   * upgrade can turn drain mode back off, so the read is the truth, not the write's answer.
   * After a write that failed, the next round reads first; writing again is a retry of the call,
   * made only while the call's budget allows it.
   */
  async setDrainMode(sessionHostName: string, drain: boolean): Promise<void> {
    const operation = this.op("setDrainMode", sessionHostName);
    const wanted = !drain;
    let failedWrite: PortError | undefined;
    for (let round = 0; round < Math.max(1, this.tuning.drainVerifyAttempts); round++) {
      if (round > 0) await this.tuning.sleep(this.tuning.drainVerifyDelayMs);
      const current = await this.readAllowNewSession(sessionHostName, operation);
      if (current === wanted) return;
      if (failedWrite) {
        const decision = activeBudget()?.decide(failureFacts(failedWrite));
        if (!decision?.retry) throw failedWrite;
        const extraMs = decision.delayMs - this.tuning.drainVerifyDelayMs;
        if (extraMs > 0) await this.tuning.sleep(extraMs);
      }
      try {
        await this.client.sessionHosts.update(this.pool.resourceGroupName, this.pool.name, sessionHostName, {
          sessionHost: { allowNewSession: wanted },
        });
        failedWrite = undefined;
      } catch (error) {
        const mapped = this.portError(error, operation);
        if (mapped.kind !== "transient") throw mapped;
        // The write may still apply late: the next round's read decides.
        failedWrite = mapped;
        continue;
      }
      if ((await this.readAllowNewSession(sessionHostName, operation)) === wanted) return;
    }
    if (failedWrite) throw failedWrite;
    throw new PortError(
      "transient",
      operation,
      `the session host still reports allowNewSession=${String(!wanted)} after ${this.tuning.drainVerifyAttempts} attempts to set it to ${String(wanted)}`,
    );
  }

  private async readAllowNewSession(sessionHostName: string, operation: string): Promise<boolean> {
    try {
      const host = await this.client.sessionHosts.get(
        this.pool.resourceGroupName,
        this.pool.name,
        sessionHostName,
      );
      return host.allowNewSession !== false;
    } catch (error) {
      throw this.portError(error, operation);
    }
  }

  async removeSessionHost(sessionHostName: string): Promise<void> {
    try {
      await this.client.sessionHosts.delete(this.pool.resourceGroupName, this.pool.name, sessionHostName, {
        force: true,
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.portError(error, this.op("removeSessionHost", sessionHostName));
    }
  }

  /**
   * Reads the current token's expiry (retrieveRegistrationToken) and renews it with a host
   * pool PATCH `registrationInfo: { expirationTime, registrationTokenOperation: "Update" }`
   * when it would expire too soon. The token in the answers is dropped on the spot.
   */
  async ensureRegistrationToken(validForMinutes: number): Promise<{ expiresAt: string }> {
    const operation = this.op("ensureRegistrationToken");
    if (
      !Number.isFinite(validForMinutes) ||
      validForMinutes < 0 ||
      validForMinutes + TOKEN_MARGIN_MINUTES > MAX_TOKEN_VALIDITY_MINUTES
    ) {
      throw new PortError(
        "permanent",
        operation,
        `validForMinutes is ${validForMinutes}; Azure issues registration tokens for at most ${MAX_TOKEN_VALIDITY_MINUTES} minutes (30 days), ` +
          `so ask for at most ${MAX_TOKEN_VALIDITY_MINUTES - TOKEN_MARGIN_MINUTES}`,
      );
    }
    const neededUntil = this.tuning.now() + validForMinutes * 60_000;
    const current = await this.registrationExpiry(operation);
    if (current !== undefined && current >= neededUntil)
      return { expiresAt: new Date(current).toISOString() };

    const minutes = Math.min(
      MAX_TOKEN_VALIDITY_MINUTES,
      Math.max(MIN_TOKEN_VALIDITY_MINUTES, validForMinutes) + TOKEN_MARGIN_MINUTES,
    );
    const expirationTime = new Date(this.tuning.now() + minutes * 60_000);
    try {
      await this.client.hostPools.update(this.pool.resourceGroupName, this.pool.name, {
        hostPool: { registrationInfo: { expirationTime, registrationTokenOperation: "Update" } },
      });
    } catch (error) {
      throw this.portError(error, operation);
    }
    const renewed = await this.registrationExpiry(operation);
    if (renewed === undefined || renewed < neededUntil) {
      throw new PortError(
        "transient",
        operation,
        `the host pool's registration token was renewed until ${expirationTime.toISOString()} but reads back as ` +
          `${renewed === undefined ? "absent" : new Date(renewed).toISOString()}`,
      );
    }
    return { expiresAt: new Date(renewed).toISOString() };
  }

  /** Expiry (ms) of the pool's current registration token; undefined when there is none. */
  private async registrationExpiry(operation: string): Promise<number | undefined> {
    let token: string | undefined;
    try {
      const info = await this.client.hostPools.retrieveRegistrationToken(
        this.pool.resourceGroupName,
        this.pool.name,
      );
      token = info.token ?? undefined;
      if (!token || !info.expirationTime) return undefined;
      const at = new Date(info.expirationTime).getTime();
      return Number.isFinite(at) ? at : undefined;
    } catch (error) {
      // No registration info on the pool yet.
      if (isNotFound(error)) return undefined;
      throw this.portError(error, operation, token ? [token] : []);
    }
  }

  async readRecord(): Promise<StoredRecord> {
    const operation = this.op("readRecord");
    const pool = await this.getPool(operation);
    try {
      const { record, header } = decodeRecord(pool.tags);
      return { record, etag: header ? tokenOf(header) : null };
    } catch (error) {
      if (error instanceof RecordTagsError)
        throw new PortError("permanent", operation, error.message, "InvalidRecord");
      throw error;
    }
  }

  /**
   * Compare-and-swap of the record tags without an etag: see recordWrite.ts and docs/azure.md
   * ("Concurrency") for the protocol and what it assumes.
   */
  writeRecord(record: RolloutRecord | null, expectedEtag: string | null): Promise<string> {
    const operation = this.op("writeRecord");
    const { resourceGroupName, name } = this.pool;
    const writer = new RecordWriter(
      {
        read: async () => (await this.getPool(operation)).tags ?? {},
        readOnce: async (timeoutMs) =>
          (await singleAttempt({ attemptTimeoutMs: timeoutMs }, () => this.getPool(operation))).tags ?? {},
        writeOnce: async (tags, options) => {
          try {
            await singleAttempt(options, () =>
              this.client.hostPools.update(resourceGroupName, name, { hostPool: { tags } }),
            );
          } catch (error) {
            throw this.portError(error, operation);
          }
        },
        write: async (tags) => {
          try {
            await this.client.hostPools.update(resourceGroupName, name, { hostPool: { tags } });
          } catch (error) {
            throw this.portError(error, operation);
          }
        },
      },
      this.tuning.record,
      { monotonicNow: this.tuning.monotonicNow, sleep: this.tuning.sleep },
      `host pool ${name}`,
    );
    return writer.write(record, expectedEtag, operation);
  }

  private async getPool(operation: string): Promise<HostPool> {
    try {
      return await this.client.hostPools.get(this.pool.resourceGroupName, this.pool.name);
    } catch (error) {
      throw this.portError(error, operation);
    }
  }
}
