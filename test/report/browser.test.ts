/**
 * The report in a real browser: headless Chromium (Debian's `chromium` package, which .ci/run
 * installs; never a downloaded browser) opens a compared rehearsal's report with every request
 * but the file itself refused, and the test checks that nothing was fetched, nothing was logged
 * as an error, the screenshots (light and dark) are taken, and the charts hold the series the
 * events imply: one provisioning bar per host and `pulumi up`, one retry mark per `host.retry`,
 * one deadline tick per notice deadline, one row per batch, every capacity and users series.
 *
 * Without Chromium the suite is skipped on a developer's machine and fails in CI (CI set).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import { reportsFromEvents, renderReportHtml } from "../../automation/report";
import { CAPACITY_SERIES, USER_SERIES } from "../../automation/report/charts";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { loadScenarioFile, parseScenario } from "../../automation/sim/scenario";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
/** Where the screenshots are kept for a person to look at. */
export const SCREENSHOTS = process.env.REPORT_SCREENSHOTS ?? join(tmpdir(), "avd-rollout-report-screenshots");

const scenario = parseScenario({
  name: "browser",
  seed: 21,
  hostPool: { hosts: 16, vmNamePrefix: "avd", maxSessionsPerHost: 8, sessionsPerHost: 4 },
  users: { arrivalsPerHour: 40 },
  update: { maxVmsRemoved: 4, logOffDelayMinutes: 15 },
  faults: { registrationFailureRate: 0.25 },
});

/** Evaluated in the page (the test's TypeScript has no DOM types). */
const BODY_BACKGROUND = "getComputedStyle(document.body).backgroundColor";

interface Rehearsed {
  strategy: "avd-rollout" | "azure";
  events: AnyEvent[];
}

async function launch(): Promise<{ context: BrowserContext; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), "avd-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1366, height: 900 },
  });
  return { context, profile };
}

describe.skipIf(!available && !inCi)("the HTML report in headless Chromium", () => {
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const runs: Rehearsed[] = [];
  const consoleErrors: string[] = [];
  const fetched: string[] = [];
  let file: string;

  beforeAll(async () => {
    expect(available, `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`).toBe(true);
    for (const strategy of ["avd-rollout", "azure"] as const)
      runs.push({ strategy, events: (await rehearseWithDetails(scenario, { strategy })).events });
    const reports = runs.map((run) =>
      reportsFromEvents(run.events).map((report) => ({
        ...report,
        strategy: report.strategy ?? run.strategy,
      })),
    );
    const html = await renderReportHtml({ title: 'Rehearsal "browser"', runs: reports.flat() });
    mkdirSync(SCREENSHOTS, { recursive: true });
    file = join(SCREENSHOTS, "report.html");
    writeFileSync(file, html);

    ({ context, profile } = await launch());
    // The report must need nothing but itself: every other request is refused and recorded.
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(`file://${file}`, { waitUntil: "load" });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("opens offline with no console errors, and screenshots in light and dark", async () => {
    expect(fetched).toEqual([]);
    expect(consoleErrors).toEqual([]);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const shot = join(SCREENSHOTS, `report-${scheme}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(50_000);
    }
    // Dark mode changes the page's colours (charts follow through currentColor).
    const background = await page.evaluate(BODY_BACKGROUND);
    expect(background).not.toBe("rgb(255, 255, 255)");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await page.evaluate(BODY_BACKGROUND)).toBe("rgb(255, 255, 255)");
  });

  it("shows both strategies side by side", async () => {
    expect(
      await page.locator("section.run").evaluateAll((s) => s.map((e) => e.getAttribute("data-strategy"))),
    ).toEqual(["avd-rollout", "azure"]);
    expect(await page.locator('figure[data-chart="compare-updated"] svg').count()).toBe(1);
    const cards = await page.locator('.card[data-figure="Duration"] .run').allTextContents();
    expect(cards).toEqual(["avd-rollout", "azure"]);
  });

  it("draws in each run's charts the series its events imply", async () => {
    for (const [index, run] of runs.entries()) {
      const section = page.locator("section.run").nth(index);
      const labels = async (chart: string, role: string) =>
        section
          .locator(`figure[data-chart="${chart}"] [aria-roledescription="${role}"]`)
          .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("aria-label") ?? ""));

      // Host timeline: a provisioning bar per host of each `pulumi up`.
      const ups = run.events.flatMap((e) => (e.type === "stack.up" ? e.hosts : []));
      const bars = await labels("hosts", "bar");
      expect(bars.filter((l) => l.includes("phase: Provisioning (pulumi up)"))).toHaveLength(ups.length);
      // A retry mark per host.retry, a deadline tick per distinct (host, deadline).
      const retries = run.events.filter((e) => e.type === "host.retry").length;
      expect(retries).toBeGreaterThan(0);
      const points = await labels("hosts", "point");
      expect(points.filter((l) => l.includes("marker: Retried"))).toHaveLength(retries);
      const deadlines = new Set(
        run.events.flatMap((e) => (e.type === "host.notified" ? [`${e.host} ${e.deadline}`] : [])),
      );
      expect((await labels("hosts", "tick")).length).toBe(deadlines.size);

      // Batch timeline: one row per batch.
      const batches = run.events.filter((e) => e.type === "batch.started").length;
      const rows = await section
        .locator('figure[data-chart="batches"] .role-axis-label')
        .last()
        .locator("text")
        .allTextContents();
      expect(rows).toHaveLength(batches);

      // Capacity and users: one line per series the world's events carry.
      const series = async (chart: string) =>
        (await labels(chart, "line mark")).map((l) => /series: (.*)$/.exec(l)?.[1]).sort();
      expect(await series("capacity")).toEqual(
        [CAPACITY_SERIES.accepting, CAPACITY_SERIES.outOfService, CAPACITY_SERIES.serving].sort(),
      );
      expect(await section.locator('figure[data-chart="capacity"]').textContent()).toContain(
        CAPACITY_SERIES.floor,
      );
      expect(await series("users")).toEqual(Object.values(USER_SERIES).sort());
    }
  });

  it("keeps a 1,000-host report to a few MB that the browser opens without errors", async () => {
    const big = loadScenarioFile(join(__dirname, "../../scenarios/standard-1000.json"));
    const { events } = await rehearseWithDetails(big);
    const html = await renderReportHtml({ title: "1,000 hosts", runs: reportsFromEvents(events) });
    expect(html.length).toBeLessThan(3_000_000);
    const bigFile = join(SCREENSHOTS, "report-1000.html");
    writeFileSync(bigFile, html);
    const errors: string[] = [];
    const bigPage = await context.newPage();
    bigPage.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    bigPage.on("pageerror", (error) => errors.push(error.message));
    await bigPage.goto(`file://${bigFile}`, { waitUntil: "load" });
    expect(errors).toEqual([]);
    expect(fetched).toEqual([]);
    // Every host has its row of bars (3 phases at least: notice, out of service, provisioning).
    const bars = await bigPage.locator('figure[data-chart="hosts"] .mark-rect path').count();
    expect(bars).toBeGreaterThanOrEqual(3 * big.hostPool.hosts);
    await bigPage.screenshot({ path: join(SCREENSHOTS, "report-1000.png") });
    await bigPage.close();
  });
});
