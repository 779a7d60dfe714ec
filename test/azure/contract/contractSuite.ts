/**
 * The behavioural contract of the HostPool and Compute ports (automation/core/ports.ts),
 * written once and run against every subject: the simulated ports and the Azure adapters over
 * the ARM emulator. What the driver relies on must hold for both — otherwise a rehearsal
 * proves nothing about production.
 *
 * Transport behaviour (throttling, 5xx, LROs, late writes) exists only where there is HTTP, so
 * those tests run for subjects that expose it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAzurePorts } from "../../../automation/azure/createAzurePorts";
import { PortError } from "../../../automation/core/errors";
import { RecordConflictError } from "../../../automation/core/ports";
import type { SimHost } from "../../../automation/sim/world";
import { emulatorCredential } from "../emulator/credential";
import { fastAdapterTuning } from "../support/adapterTuning";
import { sampleRecord } from "./records";
import type { ContractSubject, SubjectFactory } from "./subjects";

const MINUTE = 60_000;

export interface ContractOptions {
  /** The subject talks HTTP (exposes `http`): run the transport tests too. */
  transport: boolean;
}

export function defineContractSuite(label: string, factory: SubjectFactory, options: ContractOptions): void {
  describe(`HostPool and Compute port contract: ${label}`, () => {
    let s: ContractSubject;
    beforeEach(async () => {
      s = await factory();
    });
    afterEach(async () => {
      try {
        // An adapter request the REST specification does not allow fails the test that sent it.
        if (s.http) expect(s.http.emulator.log.violations()).toEqual([]);
      } finally {
        await s.close();
      }
    });

    const host = (i: number): SimHost => s.world.host(`avd-${i}`)!;
    /** Lets the world finish operations that take virtual time. */
    const settle = (): Promise<void> => s.clock.advance(10 * MINUTE);

    describe("session hosts and user sessions", () => {
      it("reads the pool's session limit and load balancing", async () => {
        const info = await s.run(() => s.hostPool.getHostPoolInfo());
        expect(info).toEqual({
          maxSessionLimit: s.world.scenario.hostPool.maxSessionsPerHost,
          loadBalancerType: s.world.scenario.hostPool.loadBalancer,
        });
      });

      it("lists every session host, across pages, by FQDN with its VM id and state", async () => {
        const hosts = await s.run(() => s.hostPool.listSessionHosts());
        expect(hosts.map((h) => h.name).sort()).toEqual(
          [0, 1, 2, 3, 4].map((i) => `avd-${i}.corp.contoso.com`),
        );
        for (const info of hosts) {
          const simHost = s.world.hostByFqdn(info.name)!;
          expect(info.resourceId.toLowerCase()).toBe(simHost.vmId.toLowerCase());
          expect(info).toMatchObject({ status: "Available", allowNewSession: true, sessions: 2 });
        }
        if (s.http) expect(s.http.emulator.log.byRoute("SessionHosts_List").length).toBeGreaterThan(1);
      });

      it("lists user sessions of the pool and of one host, across pages", async () => {
        const all = await s.run(() => s.hostPool.listUserSessions());
        expect(all).toHaveLength(10);
        const expected = [...s.world.hosts()].flatMap((h) =>
          [...h.sessions.values()].map((x) => `${h.fqdn}/${x.id}/${x.user}`),
        );
        expect(all.map((x) => `${x.sessionHostName}/${x.id}/${x.userPrincipalName}`).sort()).toEqual(
          expected.sort(),
        );

        const one = await s.run(() => s.hostPool.listUserSessions(host(3).fqdn));
        expect(one.map((x) => x.id).sort()).toEqual([...host(3).sessions.keys()].sort());
        expect(one.every((x) => x.sessionHostName === host(3).fqdn && x.sessionState === "Active")).toBe(
          true,
        );
      });

      it("lists no sessions for a host that left the pool", async () => {
        await s.run(() => s.hostPool.removeSessionHost(host(4).fqdn));
        expect(await s.run(() => s.hostPool.listUserSessions(host(4).fqdn))).toEqual([]);
      });

      it("sends a message to an active session; a disconnected or vanished one is no error", async () => {
        const [active, disconnected] = [...host(0).sessions.values()];
        disconnected!.state = "Disconnected";
        await s.run(() => s.hostPool.sendMessage(host(0).fqdn, active!.id, "Update", "Save your work"));
        await s.run(() => s.hostPool.sendMessage(host(0).fqdn, disconnected!.id, "Update", "Save your work"));
        await s.run(() => s.hostPool.sendMessage(host(0).fqdn, "424242", "Update", "Save your work"));
        expect(active!.notices).toBe(1);
        expect(disconnected!.notices).toBe(0);
      });

      it("signs a session out by force; signing out a session that is gone succeeds", async () => {
        const [first] = [...host(1).sessions.keys()];
        await s.run(() => s.hostPool.signOut(host(1).fqdn, first!));
        expect(host(1).sessions.has(first!)).toBe(false);
        expect(s.world.stats.forcedSignOuts).toBe(1);
        await s.run(() => s.hostPool.signOut(host(1).fqdn, first!));
        expect(s.world.stats.forcedSignOuts).toBe(1);
      });

      it("sets drain mode, re-runs it as a no-op, and restores it", async () => {
        await s.run(() => s.hostPool.setDrainMode(host(2).fqdn, true));
        await s.run(() => s.hostPool.setDrainMode(host(2).fqdn, true));
        expect(host(2).sessionHost!.allowNewSession).toBe(false);
        const listed = await s.run(() => s.hostPool.listSessionHosts());
        expect(listed.find((h) => h.name === host(2).fqdn)!.allowNewSession).toBe(false);
        // Existing sessions stay; only new ones are refused.
        expect(host(2).sessions.size).toBe(2);
        if (s.http) expect(s.http.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(1);

        await s.run(() => s.hostPool.setDrainMode(host(2).fqdn, false));
        expect(host(2).sessionHost!.allowNewSession).toBe(true);
      });

      it("re-asserts drain mode after the host turned it back off (agent upgrade)", async () => {
        await s.run(() => s.hostPool.setDrainMode(host(3).fqdn, true));
        s.world.setAllowNewSession(host(3).fqdn, true);
        await s.run(() => s.hostPool.setDrainMode(host(3).fqdn, true));
        expect(host(3).sessionHost!.allowNewSession).toBe(false);
      });

      it("removes a session host by force with its sessions; removing it again succeeds", async () => {
        await s.run(() => s.hostPool.removeSessionHost(host(1).fqdn));
        expect(host(1).sessionHost).toBeNull();
        expect(host(1).sessions.size).toBe(0);
        const names = (await s.run(() => s.hostPool.listSessionHosts())).map((h) => h.name);
        expect(names).not.toContain(host(1).fqdn);
        await s.run(() => s.hostPool.removeSessionHost(host(1).fqdn));
        // The VM is not the host pool's to delete.
        expect(s.world.vm(host(1).vmId)).toBeDefined();
      });
    });

    describe("registration token", () => {
      it("ensures a token valid long enough, renewing only when needed", async () => {
        const now = s.clock.now();
        const first = await s.run(() => s.hostPool.ensureRegistrationToken(120));
        expect(Date.parse(first.expiresAt)).toBeGreaterThanOrEqual(now + 120 * MINUTE);
        expect(s.world.registrationToken()).toBe(Date.parse(first.expiresAt));

        const again = await s.run(() => s.hostPool.ensureRegistrationToken(60));
        expect(again.expiresAt).toBe(first.expiresAt);

        const longer = await s.run(() => s.hostPool.ensureRegistrationToken(24 * 60));
        expect(Date.parse(longer.expiresAt)).toBeGreaterThanOrEqual(now + 24 * 60 * MINUTE);
        expect(s.world.registrationToken()).toBe(Date.parse(longer.expiresAt));
      });

      it("renews a token that has expired", async () => {
        await s.run(() => s.hostPool.ensureRegistrationToken(60));
        await s.clock.advance(3 * 60 * MINUTE);
        const renewed = await s.run(() => s.hostPool.ensureRegistrationToken(60));
        expect(Date.parse(renewed.expiresAt)).toBeGreaterThanOrEqual(s.clock.now() + 60 * MINUTE);
      });
    });

    describe("rollout record (host pool tags)", () => {
      it("reads no record at first, then what was written, with a new etag per write", async () => {
        expect(await s.run(() => s.hostPool.readRecord())).toEqual({ record: null, etag: null });
        const first = sampleRecord("r-1");
        const etag1 = await s.run(() => s.hostPool.writeRecord(first, null));
        expect(await s.run(() => s.hostPool.readRecord())).toEqual({ record: first, etag: etag1 });

        const second = { ...first, status: "pausing" as const };
        const etag2 = await s.run(() => s.hostPool.writeRecord(second, etag1));
        expect(etag2).not.toBe(etag1);
        expect(await s.run(() => s.hostPool.readRecord())).toEqual({ record: second, etag: etag2 });
      });

      it("refuses a write with a stale etag and keeps the stored record", async () => {
        const etag1 = await s.run(() => s.hostPool.writeRecord(sampleRecord("r-1"), null));
        const winner = sampleRecord("r-winner");
        await s.run(() => s.hostPool.writeRecord(winner, etag1));
        await expect(
          s.run(() => s.hostPool.writeRecord(sampleRecord("r-loser"), etag1)),
        ).rejects.toBeInstanceOf(RecordConflictError);
        await expect(s.run(() => s.hostPool.writeRecord(sampleRecord("r-new"), null))).rejects.toBeInstanceOf(
          RecordConflictError,
        );
        expect((await s.run(() => s.hostPool.readRecord())).record).toEqual(winner);
      });

      it("clears the record, keeps the administrators' own tags, and can start again", async () => {
        s.world.updateTags({ costCenter: "42" }, s.world.tags().etag);
        const before = await s.run(() => s.hostPool.readRecord());
        const etag = await s.run(() => s.hostPool.writeRecord(sampleRecord("r-1"), before.etag));
        expect(s.world.tags().tags["costCenter"]).toBe("42");
        await s.run(() => s.hostPool.writeRecord(null, etag));
        const cleared = await s.run(() => s.hostPool.readRecord());
        expect(cleared.record).toBeNull();
        expect(s.world.tags().tags).toEqual({ costCenter: "42" });
        const next = sampleRecord("r-2");
        await s.run(() => s.hostPool.writeRecord(next, cleared.etag));
        expect((await s.run(() => s.hostPool.readRecord())).record).toEqual(next);
      });

      it("stores a record too large for one tag value (a 60-host plan)", async () => {
        const hosts = Array.from({ length: 60 }, (_, i) => `avdprod-${i}`);
        const big = sampleRecord("r-big", hosts);
        const etag = await s.run(() => s.hostPool.writeRecord(big, null));
        expect(await s.run(() => s.hostPool.readRecord())).toEqual({ record: big, etag });
      });
    });

    describe("compute", () => {
      it("reads the power state, deallocates and starts, each idempotent", async () => {
        const id = host(1).vmId;
        expect(await s.run(() => s.compute.getPowerState(id))).toBe("running");
        await s.run(() => s.compute.deallocate(id));
        expect(await s.run(() => s.compute.getPowerState(id))).toBe("deallocated");
        await settle();
        expect(s.world.vm(id)!.powerState).toBe("deallocated");
        await s.run(() => s.compute.deallocate(id));
        expect(await s.run(() => s.compute.getPowerState(id))).toBe("deallocated");

        await s.run(() => s.compute.start(id));
        expect(await s.run(() => s.compute.getPowerState(id))).toBe("running");
        await settle();
        await s.run(() => s.compute.start(id));
        expect(s.world.vm(id)!.powerState).toBe("running");
      });

      it("lists the session host of a deallocated VM as not serving", async () => {
        await s.run(() => s.compute.deallocate(host(4).vmId));
        await settle();
        const listed = await s.run(() => s.hostPool.listSessionHosts());
        expect(listed.find((h) => h.name === host(4).fqdn)!.status).toBe("Shutdown");
        expect(s.world.isServing(host(4))).toBe(false);
      });

      it("deletes a VM with its NIC and OS disk; deleting it again succeeds", async () => {
        const id = host(2).vmId;
        await s.run(() => s.compute.deleteVm(id));
        expect(await s.run(() => s.compute.getPowerState(id))).toBe("notFound");
        expect(s.vmResources(id)).toEqual({ nic: false, disk: false });
        await settle();
        expect(s.world.vm(id)).toBeUndefined();
        await s.run(() => s.compute.deleteVm(id));
        // The other hosts' resources are untouched.
        expect(s.vmResources(host(3).vmId)).toEqual({ nic: true, disk: true });
      });

      it("reports a VM that does not exist as notFound", async () => {
        const missing = s.world.vmResourceId("avd-9-2026-01-01T00-00-00");
        expect(await s.run(() => s.compute.getPowerState(missing))).toBe("notFound");
        const error = await s.run(() => s.compute.deallocate(missing)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PortError);
        expect((error as PortError).kind).toBe("notFound");
      });
    });

    if (options.transport) defineTransportTests(() => s);
  });
}

/** Throttling, 5xx, LROs and late writes: the HTTP side of the adapters. */
function defineTransportTests(subject: () => ContractSubject): void {
  describe("transport (HTTP subjects only)", () => {
    const http = (): NonNullable<ContractSubject["http"]> => subject().http!;
    const fqdn = (i: number): string => subject().world.host(`avd-${i}`)!.fqdn;
    const vmId = (i: number): string => subject().world.host(`avd-${i}`)!.vmId;
    const run = <T>(call: () => Promise<T>): Promise<T> => subject().run(call);
    const transportIt = (name: string, body: () => Promise<void>): void => {
      it(name, async () => {
        expect(subject().http, "a transport test needs an HTTP subject").toBeDefined();
        await body();
      });
    };

    transportIt("honours Retry-After in seconds on 429", async () => {
      http().emulator.faults.inject({
        routes: ["SessionHosts_List"],
        times: 1,
        action: { kind: "throttle", retryAfter: { seconds: 2 } },
      });
      expect(await run(() => subject().hostPool.listSessionHosts())).toHaveLength(5);
      expect(http().waits.retryWaits).toEqual([2000]);
      expect(http().emulator.log.byRoute("SessionHosts_List")[0]!.status).toBe(429);
    });

    transportIt("honours Retry-After given as an HTTP date", async () => {
      const at = new Date(Date.now() + 4000);
      http().emulator.faults.inject({
        routes: ["HostPools_Get"],
        times: 1,
        action: { kind: "throttle", retryAfter: { httpDate: at } },
      });
      await run(() => subject().hostPool.readRecord());
      const [wait] = http().waits.retryWaits;
      // HTTP dates have whole seconds: between 2 and 4 seconds from now.
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(4000);
    });

    transportIt("rides out a global throttle across routes", async () => {
      http().emulator.faults.inject({ times: 2, action: { kind: "throttle", retryAfter: { seconds: 1 } } });
      await run(() => subject().hostPool.setDrainMode(fqdn(0), true));
      expect(subject().world.host("avd-0")!.sessionHost!.allowNewSession).toBe(false);
      expect(http().waits.retryWaits).toEqual([1000, 1000]);
    });

    transportIt("retries a 503 with Retry-After on a write", async () => {
      http().emulator.faults.inject({
        routes: ["SessionHosts_Update"],
        times: 1,
        action: { kind: "status", status: 503, retryAfter: { seconds: 1 } },
      });
      await run(() => subject().hostPool.setDrainMode(fqdn(1), true));
      expect(subject().world.host("avd-1")!.sessionHost!.allowNewSession).toBe(false);
      expect(
        http()
          .emulator.log.byRoute("SessionHosts_Update")
          .map((r) => r.status),
      ).toEqual([503, 200]);
    });

    transportIt("retries 500s on a read with backoff until it succeeds", async () => {
      http().emulator.faults.inject({
        routes: ["UserSessions_ListByHostPool"],
        times: 2,
        action: { kind: "status", status: 500 },
      });
      expect(await run(() => subject().hostPool.listUserSessions())).toHaveLength(10);
      expect(http().waits.retryWaits).toHaveLength(2);
    });

    transportIt(
      "gives up after bounded retries with a transient error naming the call and the VM",
      async () => {
        http().emulator.faults.inject({
          routes: ["VirtualMachines_InstanceView"],
          action: { kind: "status", status: 500 },
        });
        const error = await run(() => subject().compute.getPowerState(vmId(2))).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PortError);
        expect((error as PortError).kind).toBe("transient");
        expect((error as PortError).message).toContain("getPowerState");
        expect((error as PortError).message).toContain(vmId(2).split("/").pop()!);
        expect(http().emulator.log.byRoute("VirtualMachines_InstanceView")).toHaveLength(4);
      },
    );

    transportIt("does not repeat a message after an ambiguous 500 (no second notice)", async () => {
      const [session] = [...subject().world.host("avd-0")!.sessions.values()];
      http().emulator.faults.inject({
        routes: ["UserSessions_SendMessage"],
        times: 1,
        action: { kind: "status", status: 500 },
      });
      const error = await run(() => subject().hostPool.sendMessage(fqdn(0), session!.id, "t", "b")).catch(
        (e: unknown) => e,
      );
      expect((error as PortError).kind).toBe("transient");
      expect(http().emulator.log.byRoute("UserSessions_SendMessage")).toHaveLength(1);
    });

    transportIt("retries a read after a network reset", async () => {
      http().emulator.faults.inject({ routes: ["HostPools_Get"], times: 1, action: { kind: "reset" } });
      expect((await run(() => subject().hostPool.readRecord())).record).toBeNull();
      expect(http().waits.retryWaits).toHaveLength(1);
    });

    transportIt("times out a slow attempt and retries it", async () => {
      const s = subject();
      const tuning = fastAdapterTuning(() => s.clock.now(), http().waits);
      // Adapters (a second machine) whose HTTP attempts give up after 250 ms.
      const impatient = createAzurePorts({
        subscriptionId: s.world.subscriptionId,
        hostPool: {
          name: s.world.hostPoolName,
          resourceGroupName: http().emulator.backend.resourceGroupName,
        },
        credential: emulatorCredential(),
        endpoint: http().emulator.url,
        pipelineOptions: { tlsOptions: { ca: http().emulator.ca } },
        tuning: { ...tuning, retry: { ...tuning.retry, attemptTimeoutMs: 250 } },
      });
      http().emulator.faults.inject({
        routes: ["HostPools_Get"],
        times: 1,
        action: { kind: "delay", ms: 400 },
      });
      expect((await run(() => impatient.hostPool.readRecord())).record).toBeNull();
      expect(http().emulator.log.byRoute("HostPools_Get")).toHaveLength(2);
      expect(http().waits.retryWaits).toHaveLength(1);
    });

    transportIt("polls a long-running operation until it completes", async () => {
      http().emulator.lro.pollsToComplete = 4;
      await run(() => subject().compute.deallocate(vmId(3)));
      expect(await run(() => subject().compute.getPowerState(vmId(3)))).toBe("deallocated");
      const polls = http()
        .emulator.log.byRoute("ComputeOperations_Get")
        .filter((r) => r.query["monitor"] === undefined);
      expect(polls.length).toBeGreaterThanOrEqual(4);
      expect(http().emulator.log.byRoute("VirtualMachines_Deallocate")[0]!.status).toBe(202);
    });

    transportIt("reports a long-running operation that fails, naming the VM", async () => {
      http().emulator.faults.inject({
        routes: ["VirtualMachines_Start"],
        times: 1,
        action: {
          kind: "lroFailed",
          code: "AllocationFailed",
          message: "Allocation failed: no capacity for the size.",
        },
      });
      const error = await run(() => subject().compute.start(vmId(4))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortError);
      expect((error as PortError).message).toContain(vmId(4).split("/").pop()!);
    });

    transportIt("verifies a drain PATCH that timed out (504) and applied later", async () => {
      http().emulator.faults.inject({
        routes: ["SessionHosts_Update"],
        times: 1,
        action: { kind: "lateApply", applyAfterMs: 15, respond: "gatewayTimeout" },
      });
      await run(() => subject().hostPool.setDrainMode(fqdn(2), true));
      expect(subject().world.host("avd-2")!.sessionHost!.allowNewSession).toBe(false);
    });

    transportIt("does not trust a drain PATCH's 200 that shows the old value", async () => {
      http().emulator.faults.inject({
        routes: ["SessionHosts_Update"],
        times: 1,
        action: { kind: "lateApply", applyAfterMs: 10_000, respond: "staleSuccess" },
      });
      await run(() => subject().hostPool.setDrainMode(fqdn(3), true));
      // The first write never applied in time; the adapter's re-read saw that and wrote again.
      expect(subject().world.host("avd-3")!.sessionHost!.allowNewSession).toBe(false);
      expect(http().emulator.log.byRoute("SessionHosts_Update").length).toBeGreaterThanOrEqual(2);
    });

    transportIt(
      "treats 404 on delete as success and still removes the NIC and disk of a VM deleted earlier",
      async () => {
        const s = subject();
        const id = vmId(1);
        // A crashed earlier run deleted the VM but not its NIC and disk.
        http().emulator.backend.deleteVm(id);
        expect(s.vmResources(id)).toEqual({ nic: true, disk: true });
        http().emulator.faults.inject({
          routes: ["VirtualMachines_Delete"],
          action: { kind: "status", status: 404 },
        });
        await run(() => s.compute.deleteVm(id));
        expect(s.vmResources(id)).toEqual({ nic: false, disk: false });
      },
    );
  });
}
