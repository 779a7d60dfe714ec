/**
 * Compact forms of the rollout record for host pool tags (see recordTags.ts), pure.
 *
 * A plan of 10,000 hosts is a list of names like `avd-0001 .. avd-9999`: as JSON it takes
 * 30 KB even compressed, more than the 49 tags of 256 characters a host pool can spare. In plan
 * order such names form runs (same prefix, consecutive numbers, same zero padding), so the name
 * lists are written as runs and the whole record is then compressed.
 */

/** A name that starts no run, or a run: `prefix` + numbers `first .. first+count-1`, zero-padded to `width`. */
export type NameRun = string | [prefix: string, first: number, count: number, width: number];

const TRAILING_DIGITS = /^(.*?)(\d+)$/;

function format(prefix: string, n: number, width: number): string {
  return prefix + String(n).padStart(width, "0");
}

/** Names in the given order as runs; `unpackNames(packNames(x))` is `x`. */
export function packNames(names: readonly string[]): NameRun[] {
  const runs: NameRun[] = [];
  let open: [string, number, number, number] | undefined;
  for (const name of names) {
    if (open) {
      const [prefix, first, count, width] = open;
      if (format(prefix, first + count, width) === name) {
        open[2]++;
        continue;
      }
      runs.push(open[2] === 1 ? format(prefix, first, width) : open);
      open = undefined;
    }
    const match = TRAILING_DIGITS.exec(name);
    const digits = match?.[2];
    const n = digits === undefined ? NaN : Number(digits);
    if (match && digits !== undefined && Number.isSafeInteger(n)) {
      // `avd-007` keeps its padding; `avd-7` and `avd-70` share width 0.
      const width = digits.length > 1 && digits.startsWith("0") ? digits.length : 0;
      if (format(match[1], n, width) === name) {
        open = [match[1], n, 1, width];
        continue;
      }
    }
    runs.push(name);
  }
  if (open) runs.push(open[2] === 1 ? format(open[0], open[1], open[3]) : open);
  return runs;
}

export class NameRunsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NameRunsError";
  }
}

/** Names from runs; throws NameRunsError on anything `packNames` does not write. */
export function unpackNames(runs: unknown): string[] {
  if (!Array.isArray(runs)) throw new NameRunsError("a name list is not an array");
  const names: string[] = [];
  for (const run of runs as unknown[]) {
    if (typeof run === "string") {
      names.push(run);
      continue;
    }
    if (
      !Array.isArray(run) ||
      run.length !== 4 ||
      typeof run[0] !== "string" ||
      ![run[1], run[2], run[3]].every((n) => Number.isSafeInteger(n) && (n as number) >= 0) ||
      (run[2] as number) < 1
    ) {
      throw new NameRunsError(`a name run has an unknown shape (${JSON.stringify(run)})`);
    }
    const [prefix, first, count, width] = run as [string, number, number, number];
    for (let i = 0; i < count; i++) names.push(format(prefix, first + i, width));
  }
  return names;
}
