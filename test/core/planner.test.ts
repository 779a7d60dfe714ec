import { describe, expect, it } from "vitest";
import {
  batchOfPlanIndex,
  batchesOf,
  capacityBaseline,
  isServing,
  naturalCompare,
  planRollout,
  resourceKey,
} from "../../automation/core/planner";
import type { DeployedHost, DesiredPool, SessionHostInfo } from "../../automation/core/ports";

const OLD = "r-old";
const NEW = "r-new";
const vmId = (host: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${host}-gen1`;

function deployed(host: string, revision = OLD): DeployedHost {
  return { host, vmName: `${host}-gen1`, vmResourceId: vmId(host), revision };
}
function sessionHost(host: string, over: Partial<SessionHostInfo> = {}): SessionHostInfo {
  return {
    name: `${host}.corp.contoso.com`,
    resourceId: vmId(host).toUpperCase(), // AVD's casing differs from ARM's
    status: "Available",
    allowNewSession: true,
    sessions: 2,
    ...over,
  };
}
function desired(hosts: string[]): DesiredPool {
  return {
    revision: NEW,
    hosts,
    update: { maxVmsRemoved: 2, logOffDelayMinutes: 30, logOffMessage: "bye", deleteOriginalVm: false },
  };
}

describe("naturalCompare", () => {
  it.each([
    ["avd-2", "avd-10", -1],
    ["avd-10", "avd-2", 1],
    ["avd-9", "avd-9", 0],
    ["a-1-2", "a-1-10", -1],
    ["avd-1", "avdb-0", -1],
    ["avd-01", "avd-1", 1],
  ])("%s vs %s", (a, b, sign) => {
    expect(Math.sign(naturalCompare(a, b))).toBe(sign);
  });

  it("sorts a pool in natural order", () => {
    const names = ["h-10", "h-2", "h-1", "h-0", "h-11", "h-3"];
    expect([...names].sort(naturalCompare)).toEqual(["h-0", "h-1", "h-2", "h-3", "h-10", "h-11"]);
  });
});

describe("batchesOf", () => {
  it.each([
    [[], 3, []],
    [["a"], 3, [["a"]]],
    [["a", "b", "c", "d", "e"], 2, [["a"], ["b", "c"], ["d", "e"]]],
    [["a", "b", "c", "d"], 10, [["a"], ["b", "c", "d"]]],
    [["a", "b", "c"], 1, [["a"], ["b"], ["c"]]],
  ])("%j in batches of %i", (planned, size, expected) => {
    expect(batchesOf(planned, size)).toEqual(expected);
  });
});

describe("capacity", () => {
  it("serving means Available, accepting sessions and running when the power state is known", () => {
    expect(isServing(sessionHost("a"))).toBe(true);
    expect(isServing(sessionHost("a", { allowNewSession: false }))).toBe(false);
    expect(isServing(sessionHost("a", { status: "Unavailable" }))).toBe(false);
    expect(isServing(sessionHost("a"), "deallocated")).toBe(false);
    expect(isServing(undefined)).toBe(false);
  });

  it("the baseline counts only serving hosts", () => {
    const hosts = [
      sessionHost("a"),
      sessionHost("b", { allowNewSession: false }),
      sessionHost("c", { status: "Shutdown" }),
      sessionHost("d"),
    ];
    expect(capacityBaseline(hosts)).toEqual({
      available: ["a.corp.contoso.com", "d.corp.contoso.com"],
      count: 2,
    });
    const power = new Map([[resourceKey(vmId("d")), "deallocated" as const]]);
    expect(capacityBaseline(hosts, power).count).toBe(1);
  });
});

describe("planRollout", () => {
  const names = ["avd-0", "avd-1", "avd-2", "avd-10", "avd-11"];

  it("plans the out-of-date hosts in natural order: initial first, then batches", () => {
    const plan = planRollout({
      deployed: [
        deployed("avd-10"),
        deployed("avd-2"),
        deployed("avd-0"),
        deployed("avd-11"),
        deployed("avd-1"),
      ],
      desired: desired(names),
      sessionHosts: names.map((n) => sessionHost(n)),
      batchSize: 2,
    });
    expect(plan.outOfDate).toEqual(["avd-0", "avd-1", "avd-2", "avd-10", "avd-11"]);
    expect(plan.initial).toBe("avd-0");
    expect(plan.batches).toEqual([["avd-0"], ["avd-1", "avd-2"], ["avd-10", "avd-11"]]);
    expect(plan.baselineAvailable).toBe(5);
  });

  it("skips up-to-date hosts, so a finished rollout plans nothing", () => {
    const partly = planRollout({
      deployed: [deployed("avd-0", NEW), deployed("avd-1"), deployed("avd-2", NEW)],
      desired: desired(["avd-0", "avd-1", "avd-2"]),
      sessionHosts: [],
      batchSize: 3,
    });
    expect(partly.outOfDate).toEqual(["avd-1"]);
    expect(partly.upToDate).toEqual(["avd-0", "avd-2"]);
    expect(partly.batches).toEqual([["avd-1"]]);

    const done = planRollout({
      deployed: [deployed("avd-0", NEW)],
      desired: desired(["avd-0"]),
      sessionHosts: [],
      batchSize: 3,
    });
    expect(done.outOfDate).toEqual([]);
    expect(done.initial).toBeNull();
    expect(done.batches).toEqual([]);
  });

  it("matches session hosts to VMs by resource id, case-insensitively, never by name", () => {
    const plan = planRollout({
      deployed: [deployed("avd-0"), deployed("avd-1")],
      desired: desired(["avd-0", "avd-1"]),
      // avd-1's session host carries another VM's id: it is not avd-1's.
      sessionHosts: [sessionHost("avd-0"), sessionHost("avd-1", { resourceId: vmId("other") })],
      batchSize: 1,
    });
    expect(plan.details.find((d) => d.host === "avd-0")?.sessionHostName).toBe("avd-0.corp.contoso.com");
    expect(plan.details.find((d) => d.host === "avd-1")?.sessionHostName).toBeNull();
  });

  it("reports hosts not deployed yet and hosts no longer desired, and plans neither", () => {
    const plan = planRollout({
      deployed: [deployed("avd-0"), deployed("avd-5")],
      desired: desired(["avd-0", "avd-1"]),
      sessionHosts: [],
      batchSize: 1,
    });
    expect(plan.outOfDate).toEqual(["avd-0"]);
    expect(plan.notDeployed).toEqual(["avd-1"]);
    expect(plan.notDesired).toEqual(["avd-5"]);
  });

  it("counts only the stack's session hosts in the baseline, never others in the pool", () => {
    const plan = planRollout({
      deployed: [deployed("avd-0"), deployed("avd-1")],
      desired: desired(["avd-0", "avd-1"]),
      sessionHosts: [
        sessionHost("avd-0"),
        sessionHost("avd-1"),
        sessionHost("other-0", { resourceId: vmId("other-0") }),
        sessionHost("other-1", { resourceId: vmId("other-1") }),
      ],
      batchSize: 1,
    });
    expect(plan.baselineAvailable).toBe(2);
    expect(plan.hosts).toEqual(["avd-0", "avd-1"]);
  });

  it("counts deallocated and drained hosts out of the baseline", () => {
    const plan = planRollout({
      deployed: names.map((n) => deployed(n)),
      desired: desired(names),
      sessionHosts: [
        sessionHost("avd-0"),
        sessionHost("avd-1", { allowNewSession: false }),
        sessionHost("avd-2", { status: "Shutdown" }),
        sessionHost("avd-10"),
        sessionHost("avd-11"),
      ],
      powerStates: new Map([[vmId("avd-2"), "deallocated"]]),
      batchSize: 2,
    });
    expect(plan.baselineAvailable).toBe(3);
    expect(plan.details.filter((d) => d.available).map((d) => d.host)).toEqual(["avd-0", "avd-10", "avd-11"]);
  });
});

describe("batchOfPlanIndex", () => {
  it("agrees with batchesOf for every plan index and batch size, the initial host alone", () => {
    const planned = Array.from({ length: 23 }, (_, i) => `avd-${i}`);
    for (const batchSize of [1, 2, 3, 5, 22, 40]) {
      batchesOf(planned, batchSize).forEach((hosts, batch) => {
        for (const host of hosts) expect(batchOfPlanIndex(planned.indexOf(host), batchSize)).toBe(batch);
      });
    }
    // A host not in the plan (index -1) counts as the initial batch; a fractional size rounds down.
    expect(batchOfPlanIndex(-1, 3)).toBe(0);
    expect(batchOfPlanIndex(4, 2.7)).toBe(2);
    expect(batchOfPlanIndex(4, 0)).toBe(4);
  });
});
