/**
 * Where a benchmark writes its section. By default a file nobody tracks (bench/RESULTS.local.md,
 * git-ignored), so running a bench never dirties the checkout; `--out FILE` names another file;
 * `--update-results` (npm run bench:record) updates the recorded bench/RESULTS.md. Each bench
 * replaces only its own `## ...` section and leaves the others as they are.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

export const RECORDED_RESULTS = join(__dirname, "RESULTS.md");
export const LOCAL_RESULTS = join(__dirname, "RESULTS.local.md");

export interface BenchOptions {
  /** The file the section goes to. */
  resultsFile: string;
  /** Fewer variants, for a quick look. */
  quick: boolean;
}

/** The bench's command line: `[--out FILE | --update-results] [--quick]`. */
export function benchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      out: { type: "string" },
      "update-results": { type: "boolean" },
      quick: { type: "boolean" },
    },
    strict: true,
  });
  if (values.out !== undefined && values["update-results"] === true) {
    throw new Error("give --out FILE or --update-results, not both");
  }
  if (values.out !== undefined && values.out.trim() === "") throw new Error("--out needs a file name");
  const resultsFile =
    values.out !== undefined
      ? resolve(values.out)
      : values["update-results"]
        ? RECORDED_RESULTS
        : LOCAL_RESULTS;
  return { resultsFile, quick: values.quick === true };
}

/** Replaces (or appends) the section that starts with `heading` in `path`; `text` starts with the heading. */
export function writeSection(path: string, heading: string, text: string): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const start = current.indexOf(`${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${text.trimEnd()}\n`;
  } else {
    const after = current.indexOf("\n## ", start + heading.length);
    const tail = after < 0 ? "" : current.slice(after + 1);
    next = `${current.slice(0, start)}${text.trimEnd()}\n${tail ? `\n${tail}` : ""}`;
  }
  writeFileSync(path, next);
}

/** Writes the section and says where it went. */
export function recordSection(path: string, heading: string, text: string): void {
  writeSection(path, heading, text);
  process.stderr.write(`bench: wrote "${heading.replace(/^#+\s*/, "")}" to ${path}\n`);
}
