/**
 * The report model from hand-made logs: host phases, batches, runs told apart, old logs without
 * the optional fields, and what a log that is not one is told.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import { parseEventLog, reportsFromEvents, splitRuns, type LoggedEvent } from "../../automation/report";
import { buildRunReport } from "../../automation/report/model";

const T0 = Date.parse("2026-04-13T08:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A driver event of rollout `id` at `minutes` after 08:00. */
function ev(minutes: number, type: string, fields: Record<string, unknown> = {}, id = "r1"): LoggedEvent {
  return { t: at(minutes), type, rollout: id, ...fields } as LoggedEvent;
}
function world(minutes: number, type: string, fields: Record<string, unknown>): LoggedEvent {
  return { t: at(minutes), type, ...fields } as LoggedEvent;
}

/** One initial host (h-0) and a batch of two (h-1, h-2); h-2 fails once at registration, then succeeds. */
function smallRollout(id = "r1", offset = 0): LoggedEvent[] {
  const e = (m: number, type: string, fields: Record<string, unknown> = {}) =>
    ev(m + offset, type, fields, id);
  const w = (m: number, type: string, fields: Record<string, unknown>) => world(m + offset, type, fields);
  return [
    w(0, "world.session", { host: "h-0", user: "u1", session: "1", action: "signedIn" }),
    w(0, "world.session", { host: "h-1", user: "u2", session: "2", action: "signedIn" }),
    w(0, "world.session", { host: "h-2", user: "u3", session: "3", action: "signedIn" }),
    w(0, "world.availability", { available: 3, accepting: 3, freeSlots: 27, total: 3 }),
    e(0, "rollout.started", {
      hosts: ["h-0", "h-1", "h-2"],
      outOfDate: ["h-0", "h-1", "h-2"],
      batchSize: 2,
      logOffDelayMinutes: 10,
      deleteOriginalVm: true,
      revision: "r-new",
      owner: "alice@laptop",
      logOffMessage: "Save your work <now>",
      strategy: "avd-rollout",
    }),
    e(0, "batch.started", { batch: 0, hosts: ["h-0"] }),
    e(0, "host.notified", { host: "h-0", sessions: 1, sessionIds: ["1"], deadline: at(10 + offset) }),
    w(4, "world.session", { host: "h-0", user: "u1", session: "1", action: "signedOut" }),
    w(5, "world.session", { host: null, user: "u9", action: "refused" }),
    e(10, "host.drained", { host: "h-0", reason: "commit" }),
    e(10, "host.removed", { host: "h-0" }),
    w(10, "world.availability", { available: 2, accepting: 2, freeSlots: 18, total: 3 }),
    e(11, "vm.deallocated", { host: "h-0", vm: "h-0-old" }),
    e(11, "stack.up", { batch: 0, hosts: ["h-0"] }),
    e(20, "stack.upFinished", { batch: 0, result: "succeeded" }),
    e(22, "host.registered", { host: "h-0", vm: "h-0-new" }),
    e(23, "host.ready", { host: "h-0", vm: "h-0-new", allowNewSession: true, powerState: "running" }),
    w(23, "world.availability", { available: 3, accepting: 3, freeSlots: 27, total: 3 }),
    e(24, "vm.deleted", { host: "h-0", vm: "h-0-old" }),
    e(24, "batch.finished", { batch: 0 }),
    e(24, "batch.started", { batch: 1, hosts: ["h-1", "h-2"] }),
    e(24, "host.notified", { host: "h-1", sessions: 1, sessionIds: ["2"], deadline: at(34 + offset) }),
    e(24, "host.notified", { host: "h-2", sessions: 1, sessionIds: ["3"], deadline: at(34 + offset) }),
    e(26, "host.drained", { host: "h-1", reason: "notice" }),
    w(30, "world.session", { host: "h-1", user: "u4", session: "4", action: "signedIn" }),
    e(34, "host.signedOut", { host: "h-1", forced: 2, sessionIds: ["2", "4"] }),
    w(34, "world.session", { host: "h-1", user: "u2", session: "2", action: "loggedOff" }),
    w(34, "world.session", { host: "h-1", user: "u4", session: "4", action: "loggedOff" }),
    w(34, "world.session", { host: "h-2", user: "u3", session: "3", action: "loggedOff" }),
    e(34, "host.signedOut", { host: "h-2", forced: 1 }),
    e(34, "host.removed", { host: "h-1" }),
    e(34, "host.removed", { host: "h-2" }),
    w(34, "world.availability", { available: 1, accepting: 1, freeSlots: 9, total: 3 }),
    e(35, "stack.up", { batch: 1, hosts: ["h-1", "h-2"] }),
    e(45, "stack.upFinished", { batch: 1, result: "succeeded" }),
    e(47, "host.ready", { host: "h-1", vm: "h-1-new", allowNewSession: true, powerState: "running" }),
    e(50, "host.retry", { host: "h-2", attempt: 2, error: "AgentRegistrationFailureGeneric" }),
    e(51, "stack.up", { batch: 1, hosts: ["h-2"] }),
    e(60, "stack.upFinished", { batch: 1, result: "succeeded" }),
    e(62, "host.ready", { host: "h-2", vm: "h-2-new2", allowNewSession: true, powerState: "running" }),
    w(62, "world.availability", { available: 3, accepting: 3, freeSlots: 27, total: 3 }),
    e(63, "batch.finished", { batch: 1 }),
    e(63, "rollout.finished", { result: "succeeded" }),
  ];
}

describe("the report model of one run", () => {
  const [report] = reportsFromEvents(smallRollout());

  it("takes who started the rollout, with what, and what users were told from rollout.started", () => {
    expect(report).toMatchObject({
      rollout: "r1",
      strategy: "avd-rollout",
      owner: "alice@laptop",
      logOffMessage: "Save your work <now>",
      batchSize: 2,
      logOffDelayMinutes: 10,
      finished: true,
      notes: [],
    });
  });

  it("draws each host's phases in order, with deadlines, leaving and returning", () => {
    const h0 = report.hosts.find((h) => h.host === "h-0");
    expect(h0?.spans.map((s) => [s.phase, (s.start - T0) / 60_000, (s.end - T0) / 60_000])).toEqual([
      ["notice", 0, 10],
      ["drain", 10, 10],
      ["outOfService", 10, 11],
      ["provisioning", 11, 20],
      ["registering", 20, 23],
    ]);
    expect(h0).toMatchObject({ batch: 0, leftAt: T0 + 10 * 60_000, returnedAt: T0 + 23 * 60_000 });
    expect(h0?.deadline).toBe(T0 + 10 * 60_000);
    const h1 = report.hosts.find((h) => h.host === "h-1");
    // Drained while under notice: still serving, steered away from.
    expect(h1?.spans.map((s) => s.phase)).toEqual([
      "notice",
      "drain",
      "outOfService",
      "provisioning",
      "registering",
    ]);
  });

  it("shows a retried host going back out of service and provisioning again", () => {
    const h2 = report.hosts.find((h) => h.host === "h-2");
    expect(h2?.retries).toBe(1);
    expect(h2?.marks.find((m) => m.kind === "retry")?.detail).toBe(
      "attempt 2: AgentRegistrationFailureGeneric",
    );
    expect(h2?.spans.map((s) => s.phase)).toEqual([
      "notice",
      "outOfService",
      "provisioning",
      "registering",
      "outOfService",
      "provisioning",
      "registering",
    ]);
    expect(h2?.result).toBe("updated");
  });

  it("tabulates the batches with their span, hosts and retries", () => {
    expect(
      report.batches.map((b) => ({
        batch: b.batch,
        hosts: b.hosts,
        duration: b.durationMinutes,
        retries: b.retries,
        out: [b.firstLeft, b.lastReturned].map((t) => (t === null ? null : (t - T0) / 60_000)),
      })),
    ).toEqual([
      { batch: 0, hosts: ["h-0"], duration: 24, retries: 0, out: [10, 23] },
      { batch: 1, hosts: ["h-1", "h-2"], duration: 39, retries: 1, out: [34, 62] },
    ]);
  });

  it("computes the summary figures from the driver's and the world's events", () => {
    expect(report.summary).toMatchObject({
      result: "succeeded",
      durationMinutes: 63,
      hosts: 3,
      updated: 3,
      failed: [],
      minAvailable: 1,
      availableAtStart: 3,
      floor: 1,
      maxOutOfService: 2,
      sessionsNotified: 3,
      forcedSignOuts: 3,
      voluntarySignOuts: 1,
      refusedSignIns: 1,
      // Session 4 signed in after the notices and was signed out by force without one.
      shortNotices: 1,
      shortestNoticeMinutes: 0,
      stackUps: 3,
      retries: 1,
      crashes: 0,
    });
  });

  it("does not count a host out of service that took no new sessions before (restored deallocated or drained)", () => {
    // h-1 comes back deallocated, as it was: only h-2 of the batch cost capacity.
    const log = smallRollout().map((event) =>
      event.type === "host.ready" && (event as { host?: string }).host === "h-1"
        ? ({ ...event, powerState: "deallocated" } as LoggedEvent)
        : event,
    );
    const [restored] = reportsFromEvents(log);
    expect(restored.summary.maxOutOfService).toBe(1);
    expect(restored.hosts.find((h) => h.host === "h-1")?.servedBefore).toBe(false);
  });

  it("puts the floor at the hosts accepting at the start minus the batch size (drained ones cost no budget)", () => {
    const log = smallRollout().map((event, i) =>
      i === 3 ? ({ ...event, accepting: 2 } as LoggedEvent) : event,
    );
    expect(log[3].type).toBe("world.availability");
    const [drainedAtStart] = reportsFromEvents(log);
    expect(drainedAtStart.summary.availableAtStart).toBe(3);
    expect(drainedAtStart.summary.floor).toBe(0);
    expect(report.summary.floor).toBe(1);
  });

  it("follows capacity and users over time", () => {
    expect(report.capacity.map((p) => [(p.t - T0) / 60_000, p.serving, p.outOfService])).toEqual([
      [0, 3, 0],
      [10, 2, 1],
      [23, 3, 0],
      [34, 1, 2],
      [47, 1, 1],
      [62, 3, 0],
      [63, 3, 0],
    ]);
    const last = report.users[report.users.length - 1];
    expect(last).toMatchObject({ sessions: 0, notices: 3, forced: 3, voluntary: 1, refused: 1 });
  });
});

describe("a failing and an unfinished run", () => {
  it("marks the failed host with its reason and leaves the log's end open", () => {
    const events = smallRollout().filter((e) => Date.parse(e.t) <= T0 + 50 * 60_000);
    events.push(ev(55, "host.failed", { host: "h-2", error: "registration timed out" }));
    const [report] = reportsFromEvents(events);
    expect(report.finished).toBe(false);
    expect(report.summary.result).toBe("running");
    expect(report.summary.failed).toEqual(["h-2"]);
    expect(report.hosts.find((h) => h.host === "h-2")?.error).toBe("registration timed out");
    expect(report.notes.join(" ")).toContain("ends before the rollout did");
    expect(report.batches[1].lastReturned).toBeNull();
  });

  it("lists crashes, failed stack updates and blocks as incidents with their reasons", () => {
    const events = [
      ...smallRollout().slice(0, 10),
      world(12, "driver.crashed", { reason: "killed at stack.up" }),
      world(13, "driver.resumed", {}),
      ev(14, "stack.upFinished", { batch: 0, result: "failed", error: "Conflict: stack locked" }),
      ev(15, "rollout.blocked", { waitingFor: "budget", reason: "2 hosts out", since: at(15) }),
    ];
    const [report] = reportsFromEvents(events);
    expect(report.summary.crashes).toBe(1);
    expect(report.incidents.map((i) => i.text)).toEqual([
      "Driver crashed: killed at stack.up",
      "Driver resumed",
      "pulumi up of batch 0 failed: Conflict: stack locked",
      "Waiting for budget: 2 hosts out",
    ]);
  });
});

describe("logs of older drivers and real rollouts", () => {
  it("builds a report without rollout ids, session ids or world events, and says what is missing", () => {
    const old = smallRollout()
      .filter((e) => !e.type.startsWith("world."))
      .map((e) => {
        const copy = { ...e } as Record<string, unknown>;
        for (const key of ["rollout", "sessionIds", "owner", "logOffMessage", "strategy", "reason", "error"])
          delete copy[key];
        return copy as LoggedEvent;
      });
    const [report] = reportsFromEvents(old);
    expect(report.rollout).toBeNull();
    expect(report.summary).toMatchObject({
      updated: 3,
      minAvailable: null,
      voluntarySignOuts: null,
      refusedSignIns: null,
      shortNotices: null,
      // From host.signedOut counts.
      forcedSignOuts: 3,
    });
    // Serving derived from the driver's events: 3 planned hosts minus those out.
    expect(Math.min(...report.capacity.map((p) => p.serving ?? 99))).toBe(1);
    expect(report.notes.length).toBe(2);
  });
});

describe("telling runs apart", () => {
  it("splits two appended rehearsals that share a rollout id (time steps back)", () => {
    const runs = splitRuns([...smallRollout("same"), ...smallRollout("same")]);
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.events.length)).toEqual([smallRollout().length, smallRollout().length]);
  });

  it("joins a continuation of the same rollout from another process into its run", () => {
    const all = smallRollout("r1");
    const cut = all.findIndex((e) => e.type === "batch.started" && (e as { batch?: number }).batch === 1);
    // The second process's clock is a few seconds behind: time steps back, but no new start.
    const continued = all
      .slice(cut)
      .map((e) => ({ ...e, t: new Date(Date.parse(e.t) - 5_000).toISOString() }));
    const runs = splitRuns([...all.slice(0, cut), ...continued]);
    expect(runs).toHaveLength(1);
    expect(buildRunReport(runs[0]).summary.updated).toBe(3);
  });

  it("splits two rollouts of one log by id and gives each its own world events", () => {
    const runs = reportsFromEvents([...smallRollout("a"), ...smallRollout("b", 120)]);
    expect(runs.map((r) => r.rollout)).toEqual(["a", "b"]);
    expect(runs.map((r) => r.summary.refusedSignIns)).toEqual([1, 1]);
    expect(runs[1].start).toBe(T0 + 120 * 60_000);
  });
});

describe("parseEventLog", () => {
  const lines = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join("\n");

  it("skips event types it does not know and a truncated last line", () => {
    const text = `${lines([ev(0, "batch.started", { batch: 0, hosts: [] }), { t: at(1), type: "future.event" }])}\n{"t":"2026`;
    expect(parseEventLog(text, "log.jsonl").map((e) => e.type)).toEqual(["batch.started"]);
  });

  it("names the file and line of a line that is not an event", () => {
    const text = `${lines([ev(0, "batch.started")])}\n{"type":"host.ready"}\n${lines([ev(1, "batch.finished")])}\n`;
    expect(() => parseEventLog(text, "log.jsonl")).toThrow(InputError);
    expect(() => parseEventLog(text, "log.jsonl")).toThrow(/log\.jsonl line 2: not an event/);
    expect(() => parseEventLog("nonsense\n{}\n", "x.jsonl")).toThrow(/x\.jsonl line 1: not JSON/);
  });
});
