import { describe, expect, it } from "vitest";
import { PoolIndex } from "../../automation/core/poolIndex";
import { stepGapMs } from "../../automation/core/reconciler";
import type { SessionHostInfo } from "../../automation/core/ports";

const host = (i: number, over: Partial<SessionHostInfo> = {}): SessionHostInfo => ({
  name: `avd-${i}.contoso.local`,
  resourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/avd-${i}`,
  status: "Available",
  allowNewSession: true,
  sessions: 2,
  ...over,
});

/** What the index must say, counted from scratch over the list. */
function counted(
  list: readonly SessionHostInfo[],
  limit: number,
  managed: ReadonlySet<string>,
  fresh: ReadonlySet<string> = new Set(),
) {
  const accepting = list.filter((h) => h.status === "Available" && h.allowNewSession);
  const isFresh = (h: SessionHostInfo) => fresh.has(h.resourceId.toLowerCase());
  return {
    acceptingHosts: accepting.length,
    freeSlots: accepting.reduce((n, h) => n + Math.max(0, limit - h.sessions), 0),
    managedAccepting: accepting.filter((h) => managed.has(h.resourceId.toLowerCase())).length,
    freshAccepting: accepting.filter(isFresh).length,
    freshSessions: accepting.filter(isFresh).reduce((n, h) => n + h.sessions, 0),
  };
}

describe("PoolIndex", () => {
  it("keeps its figures equal to a recount as hosts change, leave and come back, step after step", () => {
    const index = new PoolIndex();
    const managed = new Set([0, 1, 2, 3].map((i) => host(i).resourceId.toLowerCase()));
    let list = [0, 1, 2, 3, 4].map((i) => host(i));
    const steps: ((l: SessionHostInfo[]) => SessionHostInfo[])[] = [
      (l) => l, // nothing changed
      (l) => l.map((h, i) => (i === 1 ? host(1, { sessions: 5 }) : h)), // a sign-in
      (l) => l.map((h, i) => (i === 2 ? host(2, { allowNewSession: false }) : h)), // drained
      (l) => l.filter((_, i) => i !== 0), // removed from the pool: positions shift
      (l) => l.map((h) => (h.name.startsWith("avd-3") ? host(3, { status: "Unavailable" }) : h)), // down
      (l) => [host(0, { resourceId: host(0).resourceId.toUpperCase() + "-GEN2" }), ...l], // back, new VM
    ];
    for (const change of steps) {
      list = change(list);
      index.refresh(list, 12, managed);
      expect(index.current).toEqual(counted(list, 12, managed));
    }
    expect(index.downManaged).toEqual(new Set([host(3).resourceId.toLowerCase()]));
    expect(index.byHostName("AVD-0.contoso.local")?.resourceId).toMatch(/-GEN2$/);
    expect(index.byResource(host(0).resourceId)).toBeUndefined();
    expect(index.byResource(host(1).resourceId.toUpperCase())?.sessions).toBe(5);
  });

  it("counts again when the session limit or the stack's hosts change", () => {
    const index = new PoolIndex();
    const list = [host(0), host(1, { sessions: 11 })];
    index.refresh(list, 12, new Set());
    expect(index.current).toEqual(counted(list, 12, new Set()));
    const managed = new Set([host(1).resourceId.toLowerCase()]);
    index.refresh(list, 20, managed, managed);
    expect(index.current).toEqual(counted(list, 20, managed, managed));
    expect(index.current).toMatchObject({
      freeSlots: 18 + 9,
      managedAccepting: 1,
      freshAccepting: 1,
      freshSessions: 11,
    });
    // The least loaded host not on the new configuration (what a fresh host fills up to).
    expect(index.leastLoadedOld).toBe(2);
  });

  describe("freshRoomDepthFirst: the sign-ins DepthFirst sends to updated hosts before an old one", () => {
    // Limit 10; avd-0..2 on the new configuration (fresh), avd-3.. still to be updated.
    const fresh = new Set([0, 1, 2].map((i) => host(i).resourceId.toLowerCase()));
    const room = (sessions: (number | "drained")[]): number => {
      const index = new PoolIndex();
      const list = sessions.map((s, i) =>
        s === "drained" ? host(i, { allowNewSession: false, sessions: 0 }) : host(i, { sessions: s }),
      );
      index.refresh(list, 10, new Set(), fresh);
      return index.freshRoomDepthFirst();
    };
    it.each([
      ["updated hosts emptier than the old ones take nobody first", [0, 1, 2, 5, 6], 0],
      ["an updated host fuller than every old one with room fills first", [8, 1, 2, 5, 6], 2],
      ["... and every such host counts", [8, 7, 2, 5, 6], 2 + 3],
      [
        "old hosts that are full take nobody: they do not hold the fresh ones back",
        [3, 4, 0, 10, 10],
        7 + 6 + 10,
      ],
      ["old hosts drained ahead take nobody either", [3, 4, 0, "drained", "drained"], 7 + 6 + 10],
      ["a tie with an old host is counted low (it may go to either)", [5, 1, 2, 5, 4], 0],
      ["a full updated host has no room", [10, 1, 2, 5, 4], 0],
    ] as const)("%s", (_, sessions, expected) => {
      expect(room([...sessions])).toBe(expected);
    });
  });
});

describe("stepGapMs: how far apart a large pool's steps keep (each lists every session host)", () => {
  it.each([
    [0, 5_000],
    [1_000, 5_000],
    [2_500, 5_000],
    [2_501, 5_002],
    [10_000, 20_000],
  ])("%i session hosts -> %i ms", (hosts, gap) => {
    expect(stepGapMs(5_000, hosts)).toBe(gap);
  });
});
