/**
 * decide(), table by table: this pool, this record, at this time -> these actions. Each row says
 * in words which rule it holds; the rules are the product's promises (spec §5).
 */
import { describe, expect, it } from "vitest";
import type { Action } from "../../automation/core/actions";
import { decide } from "../../automation/core/decide";
import type { DecisionTuning } from "../../automation/core/decide";
import type { Strategy } from "../../automation/core/strategy";
import { MIN, T0, at, observation } from "./observationBuilder";
import type { PoolSpec } from "./observationBuilder";

const tuning: DecisionTuning = {
  pollIntervalMs: MIN,
  registrationPollIntervalMs: 20_000,
  heartbeatIntervalMs: MIN,
  initialReplacementEstimateMs: 20 * MIN,
  registrationTimeoutMs: 30 * MIN,
  preDrainHorizonMs: 0,
  noticeAheadNeedsUpdatedRoom: true,
};

function run(spec: PoolSpec, strategy: Strategy = "avd-rollout", stopNewWorkAt?: number) {
  return decide({
    obs: observation(spec),
    strategy,
    tuning,
    ...(stopNewWorkAt !== undefined ? { stopNewWorkAt } : {}),
  });
}

const kinds = (actions: readonly Action[]): string[] =>
  actions.map(
    (a) =>
      `${a.kind}${"host" in a ? ` ${a.host}` : ""}${"batch" in a && a.kind === "up" ? ` ${a.batch}:${a.hosts.join(",")}` : ""}${a.kind === "startNotice" ? (a.steer ? " drained" : "") : ""}${a.kind === "steer" ? (a.drain ? " drain" : " undrain") : ""}`,
  );

/** Five hosts: the initial one, then batches of two. */
const five = (hosts: PoolSpec["hosts"]): PoolSpec["hosts"] => ({
  "avd-0": { phase: "pending" },
  "avd-1": { phase: "pending" },
  "avd-2": { phase: "pending" },
  "avd-3": { phase: "pending" },
  "avd-4": { phase: "pending" },
  ...hosts,
});

describe("decide: the initial host is a canary for users too", () => {
  it.each<[string, PoolSpec, string[]]>([
    [
      "a new rollout notices the initial host alone, drained at once (its turn has come)",
      { now: 0, hosts: five({}) },
      ["startNotice avd-0 drained"],
    ],
    [
      "while it is out, nothing else is touched: no notice, no drain",
      {
        now: 40,
        hosts: five({ "avd-0": { phase: "registering", fresh: { status: "Unavailable" } } }),
        pool: { freeSlots: 1000 },
      },
      [],
    ],
    [
      "once it is back, the next batch's notice starts, drained",
      { now: 52, hosts: five({ "avd-0": { phase: "done" } }) },
      ["startNotice avd-1 drained", "startNotice avd-2 drained"],
    ],
  ])("%s", (_name, spec, expected) => {
    expect(kinds(run(spec).actions)).toEqual(expected);
  });
});

describe("decide: when a host under notice leaves service", () => {
  const noticed = (sessions: number, sentAt = at(0)) =>
    five({
      "avd-0": { phase: "noticed", sessionHost: { sessions }, entry: { notices: [{ ids: ["1"], sentAt }] } },
    });
  it.each<[string, PoolSpec, Strategy, string[]]>([
    [
      "not before its first notice ran out while users are on it",
      { now: 29, hosts: noticed(3) },
      "avd-rollout",
      [],
    ],
    ["the moment it ran out", { now: 30, hosts: noticed(3) }, "avd-rollout", ["commit avd-0"]],
    [
      "at once when it is empty (avd-rollout)",
      { now: 5, hosts: noticed(0) },
      "avd-rollout",
      ["commit avd-0"],
    ],
    ["the service waits the full delay even when empty (azure)", { now: 5, hosts: noticed(0) }, "azure", []],
    [
      "never while its notice's delivery is unconfirmed (the driver died sending): confirm first",
      {
        now: 40,
        hosts: five({
          "avd-0": {
            phase: "noticed",
            sessionHost: { sessions: 0 },
            entry: { notices: [{ ids: ["1"], sendingSince: at(0) }] },
          },
        }),
      },
      "avd-rollout",
      ["confirmNotice avd-0"],
    ],
  ])("%s", (_name, spec, strategy, expected) => {
    expect(kinds(run(spec, strategy).actions)).toEqual(expected);
  });

  it("wakes when the notice runs out", () => {
    expect(run({ now: 10, hosts: noticed(3) }).wakeAt).toBe(T0 + MIN * 11);
    expect(run({ now: 29.5, hosts: noticed(3) }).wakeAt).toBe(T0 + 30 * MIN);
    expect(run({ now: 29.5, hosts: noticed(3) }).actions).toEqual([]);
  });
});

describe("decide: the capacity budget", () => {
  // Batch 1 (avd-1, avd-2) out of service; batch 2 (avd-3, avd-4) under notice, run out.
  const batch2Ready = (over: PoolSpec["hosts"] = {}) =>
    five({
      "avd-0": { phase: "done" },
      "avd-1": { phase: "registering", fresh: { status: "Unavailable" } },
      "avd-2": { phase: "registering", fresh: { status: "Unavailable" } },
      "avd-3": { phase: "noticed", sessionHost: { allowNewSession: false } },
      "avd-4": { phase: "noticed", sessionHost: { allowNewSession: false } },
      ...over,
    });
  it("holds the next batch while the budget is used up by the batch out of service", () => {
    const decision = run({ now: 60, hosts: batch2Ready(), budget: { inService: 3 } });
    expect(kinds(decision.actions).filter((k) => k.startsWith("commit"))).toEqual([]);
    expect(decision.blocked).toBeNull();
  });
  it("lets it go when the batch is back", () => {
    const hosts = batch2Ready({ "avd-1": { phase: "restored" }, "avd-2": { phase: "restored" } });
    expect(kinds(run({ now: 60, hosts, budget: { inService: 5 } }).actions)).toEqual(
      expect.arrayContaining(["commit avd-3", "commit avd-4"]),
    );
  });
  it("lets one go when one slot is free, in plan order", () => {
    expect(kinds(run({ now: 60, hosts: batch2Ready(), budget: { inService: 4 } }).actions)).toEqual(
      expect.arrayContaining(["commit avd-3"]),
    );
    expect(kinds(run({ now: 60, hosts: batch2Ready(), budget: { inService: 4 } }).actions)).not.toContain(
      "commit avd-4",
    );
  });
  it("a host drained or deallocated at the start costs nothing", () => {
    const hosts = batch2Ready({
      "avd-4": {
        phase: "noticed",
        entry: {
          original: {
            vm: { name: "x", resourceId: "/vm/x" },
            allowNewSession: false,
            powerState: "running",
            accepting: false,
          },
        },
      },
    });
    expect(kinds(run({ now: 60, hosts, budget: { inService: 4 } }).actions)).toEqual(
      expect.arrayContaining(["commit avd-3", "commit avd-4"]),
    );
  });
  it("says what it waits for when hosts it did not touch hold the budget", () => {
    const hosts = five({
      "avd-0": { phase: "done" },
      "avd-1": { phase: "noticed", sessionHost: { allowNewSession: false } },
      "avd-2": { phase: "noticed", sessionHost: { allowNewSession: false } },
    });
    const decision = run({ now: 90, hosts, budget: { inService: 3, downOnTheirOwn: ["avd-3", "avd-4"] } });
    expect(kinds(decision.actions).filter((k) => k.startsWith("commit"))).toEqual([]);
    expect(decision.blocked).toMatchObject({ waitingFor: "budget" });
    expect(decision.blocked?.reason).toContain("avd-3, avd-4");
  });
});

describe("decide: steering new sessions away", () => {
  // Batch 1 out of service; batch 2 due for notice ahead of its turn.
  const ahead = five({
    "avd-0": { phase: "done" },
    "avd-1": {
      phase: "registering",
      fresh: { status: "Unavailable" },
      entry: { committedAt: at(90), provisionedAt: at(95) },
    },
    "avd-2": {
      phase: "registering",
      fresh: { status: "Unavailable" },
      entry: { committedAt: at(90), provisionedAt: at(95) },
    },
  });
  it("notices a batch ahead of its turn only when the accepting hosts keep room for everyone", () => {
    expect(
      kinds(run({ now: 100, hosts: ahead, pool: { freeSlots: 200, arrivalsPerHour: 10 } }).actions),
    ).toEqual(["startNotice avd-3 drained", "startNotice avd-4 drained"]);
    // Little room: it waits for its turn (users win), rather than notice a host that keeps taking sign-ins.
    expect(
      kinds(run({ now: 100, hosts: ahead, pool: { freeSlots: 20, arrivalsPerHour: 10 } }).actions),
    ).toEqual([]);
  });
  it("notices a batch ahead of its turn only when updated hosts can take back the users it sends away", () => {
    // avd-3 and avd-4 carry 3 sessions each; under notice avd-1/avd-2 still hold 0 (left already).
    const pool = { freeSlots: 200, arrivalsPerHour: 10 };
    expect(kinds(run({ now: 100, hosts: ahead, pool: { ...pool, freshRoom: 6 } }).actions)).toEqual([
      "startNotice avd-3 drained",
      "startNotice avd-4 drained",
    ]);
    // Room for one host's users: the first goes ahead, the next waits (plan order).
    expect(kinds(run({ now: 100, hosts: ahead, pool: { ...pool, freshRoom: 5 } }).actions)).toEqual([
      "startNotice avd-3 drained",
    ]);
    // Users still under notice elsewhere come back first.
    const underNotice = { ...ahead, "avd-2": { phase: "noticed" as const, sessionHost: { sessions: 4 } } };
    expect(
      kinds(run({ now: 100, hosts: underNotice, pool: { ...pool, freshRoom: 6 } }).actions),
    ).not.toContain("startNotice avd-3 drained");
    // Measuring what the gate costs (bench): without it, both go ahead with no room at all.
    const ungated = decide({
      obs: observation({ now: 100, hosts: ahead, pool: { ...pool, freshRoom: 0 } }),
      strategy: "avd-rollout",
      tuning: { ...tuning, noticeAheadNeedsUpdatedRoom: false },
    });
    expect(kinds(ungated.actions)).toEqual(["startNotice avd-3 drained", "startNotice avd-4 drained"]);
  });

  it("notices ahead of turn only while the record tracks fewer than three batches of hosts", () => {
    // avd-1 and avd-2 out of service, and three hosts further on keep entries (a failed attempt
    // each): 5 of the 6 entries (three batches of 2) the record may hold, so avd-3 may be
    // noticed ahead of its turn, avd-4 not yet.
    const pool = { freeSlots: 200, arrivalsPerHour: 10, freshRoom: 100 };
    const retried = { phase: "pending" as const, entry: { attempts: 1 } };
    const hosts = { ...ahead, "avd-5": retried, "avd-6": retried, "avd-7": retried };
    expect(kinds(run({ now: 100, hosts, pool }).actions)).toEqual(["startNotice avd-3 drained"]);
  });

  it("lets a host drained ahead accept again when room runs short, never one drained by its administrators", () => {
    const hosts = five({
      "avd-0": { phase: "done" },
      "avd-1": { phase: "noticed", sessionHost: { allowNewSession: false, sessions: 6 } },
      "avd-2": { phase: "noticed", sessionHost: { allowNewSession: false, sessions: 6 } },
      "avd-3": { phase: "pending", sessionHost: { allowNewSession: false } },
      "avd-4": { phase: "pending", sessionHost: { allowNewSession: false } },
    });
    const decision = run({
      now: 60,
      hosts,
      record: { drainedAhead: ["avd-3"] },
      pool: { freeSlots: 5, arrivalsPerHour: 60 },
    });
    expect(kinds(decision.actions)).toContain("steer avd-3 undrain");
    expect(kinds(decision.actions)).not.toContain("steer avd-4 undrain");
  });
  it("the azure strategy drains at notice whatever the room, as the service steers", () => {
    const hosts = five({ "avd-0": { phase: "done" } });
    expect(kinds(run({ now: 60, hosts, pool: { freeSlots: 0 } }, "azure").actions)).toEqual([
      "startNotice avd-1 drained",
      "startNotice avd-2 drained",
    ]);
  });
});

describe("decide: late arrivals and sign-outs, per session", () => {
  it("notifies a session that appeared on a host under notice, with its own notice", () => {
    const hosts = five({
      "avd-0": {
        phase: "noticed",
        sessions: ["1", "9"],
        entry: { notices: [{ ids: ["1"], sentAt: at(0) }] },
      },
    });
    const decision = run({ now: 10, hosts });
    expect(decision.actions).toContainEqual({
      kind: "notifyArrivals",
      host: "avd-0",
      sessionIds: ["9"],
      restore: false,
    });
  });
  it("evacuates a leaving host when some session's notice ran out, and waits for the next deadline otherwise", () => {
    const notices = [
      { ids: ["1"], sentAt: at(0) },
      { ids: ["2"], sentAt: at(20) },
    ];
    const leaving = (now: number, sessions: string[]) =>
      run({
        now,
        hosts: five({
          "avd-0": {
            phase: "draining",
            sessions,
            sessionHost: { allowNewSession: false, sessions: sessions.length },
            entry: { notices },
          },
        }),
      });
    expect(kinds(leaving(40, ["2"]).actions)).toEqual([]);
    expect(kinds(leaving(50 - 1 / 60_000, ["2"]).actions)).toEqual([]);
    expect(leaving(49.9, ["2"]).wakeAt).toBe(T0 + 50 * MIN);
    expect(kinds(leaving(50, ["2"]).actions)).toEqual(["evacuate avd-0"]);
    expect(kinds(leaving(31, ["1", "2"]).actions)).toEqual(["evacuate avd-0"]);
  });
});

describe("decide: the stack update and the way back", () => {
  it("runs one up for a batch once every host of it is deallocated, and not while one backs off", () => {
    const hosts = five({
      "avd-0": { phase: "done" },
      "avd-1": { phase: "deallocated", sessionHost: null },
      "avd-2": { phase: "deallocated", sessionHost: null },
    });
    expect(run({ now: 60, hosts }).actions).toContainEqual({
      kind: "up",
      batch: 1,
      hosts: ["avd-1", "avd-2"],
    });
    const backingOff = { ...hosts, "avd-2": { ...hosts["avd-2"], entry: { retryAt: at(70) } } };
    expect(kinds(run({ now: 60, hosts: backingOff }).actions).some((k) => k.startsWith("up"))).toBe(false);
    const waiting = {
      ...hosts,
      "avd-2": { phase: "drained" as const, sessionHost: { allowNewSession: false, sessions: 0 } },
    };
    expect(kinds(run({ now: 60, hosts: waiting }).actions).some((k) => k.startsWith("up"))).toBe(false);
  });
  it.each<[string, PoolSpec["hosts"], number, string[]]>([
    [
      "restores a new generation once it is Available",
      five({ "avd-0": { phase: "registering", fresh: { status: "Available" } } }),
      55,
      ["restore avd-0"],
    ],
    [
      "waits for registration",
      five({ "avd-0": { phase: "registering", fresh: { status: "Unavailable" } } }),
      60,
      [],
    ],
    [
      "gives up on it after the registration timeout",
      five({ "avd-0": { phase: "registering", fresh: { status: "Unavailable" } } }),
      48 + 31,
      ["registrationTimeout avd-0"],
    ],
    [
      "finishes a restored host (and, the canary back, notices the next batch)",
      five({ "avd-0": { phase: "restored" } }),
      55,
      ["finalize avd-0", "startNotice avd-1 drained", "startNotice avd-2 drained"],
    ],
  ])("%s", (_name, hosts, now, expected) => {
    expect(kinds(run({ now, hosts }).actions)).toEqual(expected);
  });
});

describe("decide: stopping and ending", () => {
  it("pausing: takes back notices and drains ahead, lets what left service finish, then pauses", () => {
    const hosts = five({
      "avd-0": { phase: "done" },
      "avd-1": { phase: "registering", fresh: { status: "Unavailable" } },
      "avd-2": { phase: "noticed" },
      "avd-3": { phase: "pending", sessionHost: { allowNewSession: false } },
    });
    const spec: PoolSpec = { now: 60, hosts, record: { status: "pausing", drainedAhead: ["avd-3"] } };
    expect(kinds(run(spec).actions)).toEqual(["withdraw avd-2", "withdraw avd-3"]);
    expect(run(spec).finish).toBeNull();
    const settled: PoolSpec = {
      ...spec,
      hosts: {
        ...hosts,
        "avd-1": { phase: "done" },
        "avd-2": { phase: "pending" },
        "avd-3": { phase: "pending" },
      },
      record: { status: "pausing" },
    };
    expect(run(settled).finish).toBe("paused");
  });
  it("a failed host stops the rollout as failed once nothing else is in flight", () => {
    const hosts = five({ "avd-0": { phase: "failed" } });
    expect(run({ now: 60, hosts }).finish).toBe("failed");
    expect(run({ now: 60, hosts, inFlight: { hosts: new Map([["avd-0", "evacuate"]]) } }).finish).toBeNull();
  });
  it("succeeds when every planned host is done", () => {
    const hosts = Object.fromEntries(
      ["avd-0", "avd-1", "avd-2", "avd-3", "avd-4"].map((h) => [h, { phase: "done" as const }]),
    );
    expect(run({ now: 300, hosts }).finish).toBe("succeeded");
  });
  it("a time-boxed run starts no commit and no up from its end on", () => {
    const hosts = five({ "avd-0": { phase: "noticed", sessionHost: { sessions: 0 } } });
    expect(kinds(run({ now: 5, hosts }, "avd-rollout", T0 + 5 * MIN).actions)).toEqual([]);
    expect(kinds(run({ now: 5, hosts }, "avd-rollout", T0 + 6 * MIN).actions)).toEqual(["commit avd-0"]);
  });
});
