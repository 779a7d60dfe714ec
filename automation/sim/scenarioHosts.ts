/**
 * Scenario fields for hosts that do not behave (docs/rehearsal.md, "Hosts that do not behave"):
 * session hosts in the pool that this stack does not manage (`hostPool.unmanaged`), and faults
 * of the stack's own hosts — an outage for reasons of their own (`faults.outages`), drain mode
 * that keeps turning itself back off (`faults.drainReverts`), sessions that survive a forced
 * sign-out (`faults.stuckSessions`). Kept apart from scenario.ts: the schema pieces and the
 * cross-field checks (host names of the pool, no duplicates) in one place.
 */
import { z } from "zod";

const count = (what: string) =>
  z
    .number({ error: `must be a whole number of ${what}; use 0 to 1000` })
    .int({ error: `must be a whole number of ${what}; use 0 to 1000` })
    .min(0, { error: `must be 0 or more; use 0 to 1000` })
    .max(1000, { error: `must be at most 1000` })
    .default(0);

export const unmanagedSchema = z
  .strictObject({
    /** Serving and taking new sessions. */
    available: count("session hosts serving and accepting"),
    /** Serving, in drain mode (keeps its sessions, takes no new ones). */
    drained: count("session hosts in drain mode"),
    /** Registered but not serving (NoHeartbeat). */
    down: count("session hosts that are down"),
    vmNamePrefix: z
      .string({ error: "must be a string; use up to 11 letters, digits or hyphens starting with a letter" })
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,10}$/, {
        error: "must be 1 to 11 letters, digits or hyphens starting with a letter; shorten it",
      })
      .default("other"),
  })
  .prefault({});

const outageSchema = z.strictObject({
  host: z.string({ error: 'must be a host name of the pool such as "avd-3"' }),
  atMinutes: z
    .number({ error: "must be a number of minutes after the start; use 0 to 100000" })
    .min(0, { error: "must be 0 or more minutes after the start" })
    .max(100_000, { error: "must be at most 100000 minutes after the start" }),
  /** How long it stays down; absent: it stays down for the rest of the rehearsal. */
  minutes: z
    .number({ error: "must be a number of minutes; leave it out for a host that stays down" })
    .positive({ error: "must be more than 0 minutes; leave it out for a host that stays down" })
    .max(100_000, { error: "must be at most 100000 minutes; leave it out for a host that stays down" })
    .optional(),
});

export type Outage = z.output<typeof outageSchema>;

const hostList = z.array(z.string({ error: 'must list host names such as "avd-3"' })).default([]);

/** The fault fields of the stack's own hosts (spread into the `faults` section). */
export const hostFaultFields = {
  outages: z.array(outageSchema).default([]),
  drainReverts: hostList,
  stuckSessions: hostList,
};

export interface ScenarioHostsView {
  hostPool: {
    hosts: number;
    vmNamePrefix: string;
    unmanaged: z.output<typeof unmanagedSchema>;
  };
  faults: { outages: readonly Outage[]; drainReverts: readonly string[]; stuckSessions: readonly string[] };
}

export type UnmanagedState = "available" | "drained" | "down";

/** The unmanaged session hosts of the scenario, `<prefix>-0 ..`: the available ones first, then drained, then down. */
export function unmanagedHosts(
  scenario: Pick<ScenarioHostsView, "hostPool">,
): { name: string; state: UnmanagedState }[] {
  const { available, drained, down, vmNamePrefix } = scenario.hostPool.unmanaged;
  const states: UnmanagedState[] = [
    ...Array<UnmanagedState>(available).fill("available"),
    ...Array<UnmanagedState>(drained).fill("drained"),
    ...Array<UnmanagedState>(down).fill("down"),
  ];
  return states.map((state, i) => ({ name: `${vmNamePrefix}-${i}`, state }));
}

/** Problems with the host fields that one field alone cannot show (names of the pool, duplicates). */
export function hostFieldProblems(
  scenario: ScenarioHostsView,
  source: string,
  names: ReadonlySet<string>,
): string[] {
  const { hostPool, faults } = scenario;
  const problems: string[] = [];
  const range = `use ${hostPool.vmNamePrefix}-0 .. ${hostPool.vmNamePrefix}-${hostPool.hosts - 1}`;
  if (hostPool.unmanaged.vmNamePrefix === hostPool.vmNamePrefix) {
    problems.push(
      `${source}: hostPool.unmanaged.vmNamePrefix = ${JSON.stringify(hostPool.unmanaged.vmNamePrefix)} is invalid: it is the stack's own prefix (hostPool.vmNamePrefix); choose another, such as "other"`,
    );
  }
  const checkList = (field: string, hosts: readonly string[]): void => {
    const seen = new Set<string>();
    hosts.forEach((host, i) => {
      if (!names.has(host))
        problems.push(
          `${source}: ${field}[${i}] = ${JSON.stringify(host)} is invalid: it is not a host of the pool; ${range}`,
        );
      else if (seen.has(host))
        problems.push(
          `${source}: ${field}[${i}] = ${JSON.stringify(host)} is listed twice; remove the duplicate`,
        );
      seen.add(host);
    });
  };
  checkList(
    "faults.outages",
    faults.outages.map((o) => o.host),
  );
  checkList("faults.drainReverts", faults.drainReverts);
  checkList("faults.stuckSessions", faults.stuckSessions);
  return problems.map((p) => p.replace(/faults\.outages\[(\d+)\] =/, "faults.outages[$1].host ="));
}
