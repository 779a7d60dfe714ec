/**
 * Table tests of decide(): a pool as plain rows, a rollout record, a moment — observed by the
 * real Observer through ports that only read those rows — and the decision. So a row reads "this
 * pool, this record, at this time -> these actions", and the observation is built exactly as the
 * driver builds it.
 */
import type { Decision } from "../../automation/core/decide";
import { decide } from "../../automation/core/decide";
import type { InFlight } from "../../automation/core/observation";
import { Observer } from "../../automation/core/observer";
import type {
  DeployedHost,
  Ports,
  PowerState,
  SessionHostInfo,
  SessionHostStatus,
  UserSessionInfo,
} from "../../automation/core/ports";
import type { HostRecord, NoticeGroup, RolloutRecord } from "../../automation/core/record";
import type { Strategy } from "../../automation/core/strategy";
import { DEFAULT_TUNING } from "../../automation/core/tuning";

export const MIN = 60_000;
export const T0 = Date.parse("2026-04-13T08:00:00.000Z");
export const at = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();
export const OLD = "r-old";
export const NEW = "r-new";

const vmId = (name: string): string =>
  `/subscriptions/s/resourceGroups/rg-avd-hosts/providers/Microsoft.Compute/virtualMachines/${name}`;
export const originalVm = (host: string) => ({ name: `${host}-old`, resourceId: vmId(`${host}-old`) });
export const freshVm = (host: string) => ({ name: `${host}-new`, resourceId: vmId(`${host}-new`) });
export const fqdn = (host: string): string => `${host}.contoso.local`;

export interface SessionHostRow {
  status?: SessionHostStatus;
  /** Drain mode off (default true). */
  allow?: boolean;
  /** Session ids on it. */
  sessions?: string[];
}

export interface HostRow extends SessionHostRow {
  host: string;
  /** The original VM's session host is in the pool (default true; false once removed). */
  registered?: boolean;
  /** Power state of the original VM (default running). */
  power?: PowerState | "notFound";
  /** The ledger points to a new generation; its session host when registered. */
  fresh?: SessionHostRow & { registered?: boolean };
  /** The ledger's revision for a host without a new generation (default OLD). */
  revision?: string;
}

export interface PoolOptions {
  maxSessionLimit?: number;
  /** Session hosts of the pool that the stack does not manage. */
  unmanaged?: SessionHostInfo[];
  /** Sign-ins of the last hour (they set the observed arrival rate). */
  recentSignIns?: number;
}

/** Read-only ports over the rows at `now` (anything that would change the world throws). */
export function poolPorts(rows: readonly HostRow[], now: number, options: PoolOptions = {}): Ports {
  const sessionHosts: SessionHostInfo[] = [];
  const sessionsOf = new Map<string, string[]>();
  const power = new Map<string, PowerState | "notFound">();
  for (const row of rows) {
    power.set(originalVm(row.host).resourceId.toLowerCase(), row.power ?? "running");
    if (row.fresh) power.set(freshVm(row.host).resourceId.toLowerCase(), "running");
    const freshRegistered = row.fresh !== undefined && row.fresh.registered !== false;
    const originalRegistered = row.registered ?? !freshRegistered;
    if (originalRegistered && freshRegistered)
      throw new Error(`${row.host}: two session hosts under one name`);
    const shown = freshRegistered ? row.fresh : originalRegistered ? row : undefined;
    if (!shown) continue;
    const vm = freshRegistered ? freshVm(row.host) : originalVm(row.host);
    sessionHosts.push({
      name: fqdn(row.host),
      resourceId: vm.resourceId,
      status: shown.status ?? "Available",
      allowNewSession: shown.allow ?? true,
      sessions: (shown.sessions ?? []).length,
    });
    sessionsOf.set(fqdn(row.host).toLowerCase(), shown.sessions ?? []);
  }
  for (const other of options.unmanaged ?? []) sessionHosts.push(other);
  const userSessions = (name: string): UserSessionInfo[] =>
    (sessionsOf.get(name.toLowerCase()) ?? []).map((id) => ({
      sessionHostName: name,
      id,
      userPrincipalName: `user-${id}@contoso.com`,
      sessionState: "Active",
      createTime: new Date(now - 3 * 60 * MIN).toISOString(),
    }));
  const recent = Array.from({ length: options.recentSignIns ?? 0 }, (_, i) => ({
    sessionHostName: "elsewhere.contoso.local",
    id: `recent-${i}`,
    userPrincipalName: `recent-${i}@contoso.com`,
    sessionState: "Active" as const,
    createTime: new Date(now - 10 * MIN).toISOString(),
  }));
  const deployed: DeployedHost[] = rows.map((row) => {
    const vm = row.fresh ? freshVm(row.host) : originalVm(row.host);
    return {
      host: row.host,
      vmName: vm.name,
      vmResourceId: vm.resourceId,
      revision: row.fresh ? NEW : (row.revision ?? OLD),
    };
  });
  const refuse = async (): Promise<never> => {
    throw new Error("decide() tables only observe");
  };
  return {
    hostPool: {
      getHostPoolInfo: async () => ({
        maxSessionLimit: options.maxSessionLimit ?? 10,
        loadBalancerType: "BreadthFirst",
      }),
      listSessionHosts: async () => sessionHosts.map((sh) => ({ ...sh })),
      listUserSessions: async (name) =>
        name === undefined
          ? [...[...sessionsOf.keys()].flatMap((n) => userSessions(n)), ...recent]
          : userSessions(name),
      sendMessage: refuse,
      signOut: refuse,
      setDrainMode: refuse,
      removeSessionHost: refuse,
      ensureRegistrationToken: refuse,
      readRecord: refuse,
      writeRecord: refuse,
    },
    compute: {
      getPowerState: async (id) => power.get(id.toLowerCase()) ?? "notFound",
      deallocate: refuse,
      start: refuse,
      deleteVm: refuse,
    },
    stack: { readDeployedHosts: async () => deployed, readDesired: refuse, preview: refuse, up: refuse },
    clock: { now: () => now, sleep: refuse },
  };
}

export interface RecordOptions {
  planned: string[];
  batchSize?: number;
  delay?: number;
  status?: RolloutRecord["status"];
  hosts?: Record<string, HostRecord>;
  baselineAvailable?: number;
  stats?: RolloutRecord["stats"];
  startedBatches?: number[];
  finishedBatches?: number[];
  error?: string;
}

export function rolloutRecord(options: RecordOptions): RolloutRecord {
  return {
    version: 2,
    id: "rollout-table",
    status: options.status ?? "running",
    revision: NEW,
    params: {
      batchSize: options.batchSize ?? 2,
      logOffDelayMinutes: options.delay ?? 30,
      logOffMessage: "Save your work.",
      deleteOriginalVm: false,
    },
    owner: "table@test",
    heartbeat: at(0),
    startedAt: at(0),
    planned: options.planned,
    hosts: options.hosts ?? {},
    baselineAvailable: options.baselineAvailable ?? options.planned.length,
    stats: options.stats ?? { count: 0, totalMs: 0 },
    startedBatches: options.startedBatches ?? [],
    finishedBatches: options.finishedBatches ?? [],
    ...(options.error ? { error: options.error } : {}),
  };
}

/** What the host was when first touched: serving, accepting, running (override any). */
export function original(
  host: string,
  over: Partial<NonNullable<HostRecord["original"]>> = {},
): NonNullable<HostRecord["original"]> {
  return {
    vm: originalVm(host),
    sessionHostName: fqdn(host),
    allowNewSession: true,
    powerState: "running",
    accepting: true,
    ...over,
  };
}

/** A notice group delivered at `sentMin` (undefined: sending, never confirmed). */
export function group(ids: string[], sentMin?: number): NoticeGroup {
  return sentMin === undefined ? { ids, sendingSince: at(0) } : { ids, sentAt: at(sentMin) };
}

/** A host under notice since `min`, with these notice groups (default: one empty group sent then). */
export function noticed(
  host: string,
  batch: number,
  min: number,
  groups?: NoticeGroup[],
  over: Partial<HostRecord> = {},
): HostRecord {
  return { batch, original: original(host), noticeAt: at(min), notices: groups ?? [group([], min)], ...over };
}

/** A host committed at `min` after its notice at `noticeMin`. */
export function committed(
  host: string,
  batch: number,
  noticeMin: number,
  min: number,
  over: Partial<HostRecord> = {},
): HostRecord {
  return { ...noticed(host, batch, noticeMin), committedAt: at(min), ...over };
}

export const NOTHING_IN_FLIGHT: InFlight = { hosts: new Map(), up: null };

export interface DecideAt {
  now: number;
  strategy?: Strategy;
  inFlight?: InFlight;
  stopNewWorkAtMin?: number;
  pool?: PoolOptions;
}

/** Observes the rows with the real Observer at minute `now` and decides. */
export async function decideAt(
  rows: readonly HostRow[],
  record: RolloutRecord,
  options: DecideAt,
): Promise<Decision> {
  const now = T0 + options.now * MIN;
  const observer = new Observer(poolPorts(rows, now, options.pool));
  const obs = await observer.observe(record, options.inFlight ?? NOTHING_IN_FLIGHT);
  return decide({
    obs,
    strategy: options.strategy ?? "avd-rollout",
    tuning: DEFAULT_TUNING,
    ...(options.stopNewWorkAtMin !== undefined ? { stopNewWorkAt: T0 + options.stopNewWorkAtMin * MIN } : {}),
  });
}

/** Host rows `<prefix>-0 .. <prefix>-<n-1>`, serving and accepting, with `sessions` sessions each. */
export function rowsOf(n: number, sessions = 0): HostRow[] {
  return Array.from({ length: n }, (_, i) => ({
    host: `avd-${i}`,
    sessions: Array.from({ length: sessions }, (_, j) => `${i}-${j}`),
  }));
}
