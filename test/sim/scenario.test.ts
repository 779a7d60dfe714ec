import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import {
  DEFAULT_LOG_OFF_MESSAGE,
  loadScenarioFile,
  parseScenario,
  scenarioHostNames,
} from "../../automation/sim/scenario";
import { Random } from "../../automation/sim/random";

function inputError(raw: unknown): string {
  try {
    parseScenario(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("scenario", () => {
  it("fills every default", () => {
    const s = parseScenario({});
    expect(s.hostPool).toMatchObject({
      hosts: 20,
      vmNamePrefix: "avd",
      loadBalancer: "BreadthFirst",
      maxSessionsPerHost: 12,
      sessionsPerHost: 6,
      deallocated: [],
      drained: [],
    });
    expect(s.users).toMatchObject({
      signOutAfterNotice: { probability: 0.7, meanMinutes: 8 },
      arrivalsPerHour: 40,
      signBackIn: 0.8,
    });
    expect(s.update).toEqual({
      maxVmsRemoved: 3,
      logOffDelayMinutes: 30,
      logOffMessage: DEFAULT_LOG_OFF_MESSAGE,
      deleteOriginalVm: false,
    });
    expect(s.latency).toEqual({
      deallocateMinutes: 2,
      vmCreateMinutes: 5,
      extensionsMinutes: 10,
      registrationMinutes: 3,
      deleteMinutes: 2,
      jitter: 0.2,
    });
    expect(s.faults).toEqual({
      registrationFailureRate: 0,
      armTransientRate: 0,
      crashes: 0,
      outages: [],
      drainReverts: [],
      stuckSessions: [],
    });
  });

  it("keeps given values and fills defaults inside partial sections", () => {
    const s = parseScenario({
      name: "x",
      seed: 7,
      hostPool: { hosts: 5, drained: ["avd-4"] },
      users: { signOutAfterNotice: { probability: 0.1 } },
    });
    expect(s.hostPool.hosts).toBe(5);
    expect(s.hostPool.drained).toEqual(["avd-4"]);
    expect(s.users.signOutAfterNotice).toEqual({ probability: 0.1, meanMinutes: 8 });
    expect(scenarioHostNames(s)).toEqual(["avd-0", "avd-1", "avd-2", "avd-3", "avd-4"]);
  });

  it("refuses unknown fields, naming them", () => {
    expect(inputError({ hostpool: {} })).toMatch(/unknown field hostpool/);
    expect(inputError({ latency: { jiter: 0.1 } })).toMatch(/unknown field latency\.jiter/);
  });

  it("refuses hosts that are not in the pool", () => {
    const message = inputError({ hostPool: { hosts: 3, deallocated: ["avd-3"] } });
    expect(message).toMatch(/hostPool\.deallocated\[0\] = "avd-3"/);
    expect(message).toMatch(/avd-0 \.\. avd-2/);
    expect(inputError({ hostPool: { hosts: 3, drained: ["other-1"] } })).toMatch(/hostPool\.drained\[0\]/);
  });

  it.each([
    [{ update: { maxVmsRemoved: 0 } }, /update\.maxVmsRemoved = 0 .*at least 1/],
    [{ update: { maxVmsRemoved: 2.5 } }, /update\.maxVmsRemoved = 2\.5/],
    [{ update: { logOffDelayMinutes: 1441 } }, /update\.logOffDelayMinutes = 1441 .*1440/],
    [{ update: { logOffDelayMinutes: -1 } }, /update\.logOffDelayMinutes = -1/],
    [{ update: { logOffMessage: "x".repeat(261) } }, /update\.logOffMessage .*260 characters/],
    [{ hostPool: { vmNamePrefix: "abcdefghijkl" } }, /hostPool\.vmNamePrefix = "abcdefghijkl" .*11/],
    [{ hostPool: { loadBalancer: "Persistent" } }, /hostPool\.loadBalancer = "Persistent"/],
    [
      { hostPool: { sessionsPerHost: 20, maxSessionsPerHost: 10 } },
      /sessionsPerHost = 20 .*maxSessionsPerHost/,
    ],
    [{ hostPool: { hosts: 0 } }, /hostPool\.hosts = 0/],
    [{ users: { signBackIn: 1.5 } }, /users\.signBackIn = 1\.5 .*between 0 and 1/],
    [{ faults: { crashes: -2 } }, /faults\.crashes = -2/],
    [{ seed: "seven" }, /seed = "seven"/],
  ])("refuses %j with a message naming field, value and fix", (raw, pattern) => {
    expect(inputError(raw)).toMatch(pattern);
  });

  it("accepts the limits themselves", () => {
    expect(() =>
      parseScenario({
        update: { maxVmsRemoved: 500, logOffDelayMinutes: 1440, logOffMessage: "y".repeat(260) },
      }),
    ).not.toThrow();
    expect(() => parseScenario({ update: { logOffDelayMinutes: 0 } })).not.toThrow();
  });

  it("loads files and reports unreadable or malformed ones as input errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "scenario-"));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ name: "file", hostPool: { hosts: 2 } }));
    expect(loadScenarioFile(good).name).toBe("file");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    expect(() => loadScenarioFile(bad)).toThrow(/not valid JSON/);
    expect(() => loadScenarioFile(join(dir, "missing.json"))).toThrow(/--scenario .*cannot read/);
    expect(() => loadScenarioFile(join(dir, "missing.json"))).toThrow(InputError);
  });

  it("ships bundled scenarios that validate", async () => {
    const { readdirSync } = await import("node:fs");
    const files = readdirSync("scenarios").filter((f) => f.endsWith(".json"));
    expect(files).toEqual(
      expect.arrayContaining(["demo.json", "standard-10.json", "standard-100.json", "standard-1000.json"]),
    );
    for (const file of files) expect(() => loadScenarioFile(join("scenarios", file))).not.toThrow();
  });
});

describe("Random", () => {
  it("is deterministic per seed and label, and streams are independent", () => {
    const a = new Random(7, "x");
    const b = new Random(7, "x");
    const seqA = Array.from({ length: 5 }, () => a.float());
    expect(Array.from({ length: 5 }, () => b.float())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => new Random(8, "x").float())).not.toEqual(seqA);
    const root = new Random(1);
    const users = root.fork("users");
    const firstUsers = users.float();
    const root2 = new Random(1);
    root2.fork("latency").float();
    expect(root2.fork("users").float()).toBe(firstUsers);
  });

  it("draws in range with the right means", () => {
    const r = new Random(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.exponential(8);
      expect(x).toBeGreaterThanOrEqual(0);
      sum += x;
    }
    expect(sum / 20000).toBeGreaterThan(7.5);
    expect(sum / 20000).toBeLessThan(8.5);
    for (let i = 0; i < 1000; i++) {
      const j = r.jittered(10, 0.2);
      expect(j).toBeGreaterThanOrEqual(8);
      expect(j).toBeLessThanOrEqual(12);
      const n = r.int(2, 4);
      expect([2, 3, 4]).toContain(n);
    }
  });
});
