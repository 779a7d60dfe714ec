/**
 * Benchmarks write to a file the user names, by default an untracked one; only `--update-results`
 * (npm run bench:record) touches the recorded bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchOptions, LOCAL_RESULTS, RECORDED_RESULTS, writeSection } from "../../bench/resultsFile";

const ROOT = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "avd-rollout-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("where a bench writes", () => {
  it("defaults to the untracked bench/RESULTS.local.md", () => {
    expect(benchOptions([])).toEqual({ resultsFile: LOCAL_RESULTS, quick: false });
    const ignored = spawnSync("git", ["check-ignore", "-q", LOCAL_RESULTS], { cwd: ROOT });
    expect(ignored.status).toBe(0);
  });

  it("takes --out FILE, or --update-results for the recorded file, not both", () => {
    expect(benchOptions(["--out", "x.md", "--quick"])).toEqual({
      resultsFile: join(process.cwd(), "x.md"),
      quick: true,
    });
    expect(benchOptions(["--update-results"]).resultsFile).toBe(RECORDED_RESULTS);
    expect(() => benchOptions(["--out", "x.md", "--update-results"])).toThrow(/not both/);
    expect(() => benchOptions(["--outt", "x.md"])).toThrow();
  });

  it("npm run bench never records; npm run bench:record does", () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    for (const name of ["bench", "bench:program", "bench:rollout"]) {
      expect(scripts[name]).not.toContain("--update-results");
    }
    expect(scripts["bench:record"]).toMatch(
      /bench:program -- --update-results .*bench:rollout -- --update-results/,
    );
  });

  it("replaces only its own section", () => {
    const file = join(dir, "sections.md");
    writeFileSync(file, "# Benchmark results\n\n## A\n\nold a\n\n## B\n\nkeep b\n");
    writeSection(file, "## A", "## A\n\nnew a\n");
    writeSection(file, "## C", "## C\n\nnew c");
    expect(readFileSync(file, "utf8")).toBe(
      "# Benchmark results\n\n## A\n\nnew a\n\n## B\n\nkeep b\n\n## C\n\nnew c\n",
    );
  });

  it("bench:rollout --quick --out FILE writes its section there and leaves bench/RESULTS.md alone", () => {
    const recorded = readFileSync(RECORDED_RESULTS, "utf8");
    const out = join(dir, "rollout.md");
    const run = spawnSync(
      process.execPath,
      ["--require", "tsx/cjs", join(ROOT, "bench", "rollout.bench.ts"), "--quick", "--out", out],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const written = readFileSync(out, "utf8");
    expect(written).toContain("## Rollout rehearsal");
    expect(written).toMatch(/\| standard-10 \| 10 \| 3 \| avd-rollout \| succeeded \|/);
    expect(written).not.toContain("standard-1000");
    expect(run.stderr).toContain(`bench: wrote "Rollout rehearsal" to ${out}`);
    expect(readFileSync(RECORDED_RESULTS, "utf8")).toBe(recorded);
  });
});
