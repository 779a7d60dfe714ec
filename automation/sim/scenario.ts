/**
 * The rehearsal scenario (spec section 9): JSON in, a normalized scenario with every default
 * filled in out. Unknown fields, host names that are not in the pool and values outside the
 * limits of spec section 3 are {@link InputError}s naming the field, the bad value and the fix.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { closestMatch } from "../../program/config/suggest";
import { InputError } from "../core/errors";
import { hostFaultFields, hostFieldProblems, unmanagedSchema } from "./scenarioHosts";

export const DEFAULT_LOG_OFF_MESSAGE =
  "This desktop is being updated. Save your work and sign out; sign in again to continue.";

const probability = (fix: string) =>
  z
    .number({ error: `must be a number between 0 and 1; ${fix}` })
    .min(0, { error: `must be between 0 and 1; ${fix}` })
    .max(1, { error: `must be between 0 and 1; ${fix}` });

const minutes = (max: number, fix: string) =>
  z
    .number({ error: `must be a number of minutes; ${fix}` })
    .min(0, { error: `must be 0 or more; ${fix}` })
    .max(max, { error: `must be at most ${max}; ${fix}` });

const LOAD_BALANCERS = ["BreadthFirst", "DepthFirst"] as const;

/** A section that is not an object (`"hostPool": 5`) gets this message, not zod's. */
const section = (name: string) => ({
  error: `must be an object of ${name} fields (see docs/rehearsal.md)`,
});

const hostList = z.array(z.string({ error: 'must list host names such as "avd-3"' }), {
  error: 'must be a list of host names such as ["avd-3"]',
});

const hostPoolSchema = z
  .strictObject(
    {
      hosts: z
        .number({ error: "must be a whole number of hosts; use 1 to 10000" })
        .int({ error: "must be a whole number of hosts; use 1 to 10000" })
        .min(1, { error: "must be at least 1; use 1 to 10000" })
        .max(10_000, { error: "must be at most 10000; use a smaller pool" })
        .default(20),
      vmNamePrefix: z
        .string({ error: "must be a string; use up to 11 letters, digits or hyphens starting with a letter" })
        .regex(/^[A-Za-z][A-Za-z0-9-]{0,10}$/, {
          error:
            "must be 1 to 11 letters, digits or hyphens starting with a letter (spec section 3); shorten it",
        })
        .default("avd"),
      domainName: z
        .string({ error: "must be a DNS domain such as contoso.local" })
        .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, { error: "must be a DNS domain such as contoso.local" })
        .default("contoso.local"),
      loadBalancer: z
        .enum(LOAD_BALANCERS, {
          error: (issue) => {
            const guess =
              typeof issue.input === "string" ? closestMatch(issue.input, LOAD_BALANCERS) : undefined;
            return `must be "BreadthFirst" or "DepthFirst"${guess === undefined ? "" : ` (did you mean ${guess}?)`}`;
          },
        })
        .default("BreadthFirst"),
      maxSessionsPerHost: z
        .number({ error: "must be a whole number; use 1 to 999999" })
        .int({ error: "must be a whole number; use 1 to 999999" })
        .min(1, { error: "must be at least 1; use 1 to 999999" })
        .max(999_999, { error: "must be at most 999999 (Azure's limit)" })
        .default(12),
      sessionsPerHost: z
        .number({ error: "must be a whole number of sessions; use 0 up to maxSessionsPerHost" })
        .int({ error: "must be a whole number of sessions; use 0 up to maxSessionsPerHost" })
        .min(0, { error: "must be 0 or more; use 0 up to maxSessionsPerHost" })
        .default(6),
      deallocated: hostList.default([]),
      drained: hostList.default([]),
      unmanaged: unmanagedSchema,
    },
    section("hostPool"),
  )
  .prefault({});

const usersSchema = z
  .strictObject(
    {
      signOutAfterNotice: z
        .strictObject(
          {
            probability: probability("it is the share of notified users who sign out themselves").default(
              0.7,
            ),
            meanMinutes: minutes(1440, "it is the mean time users take to sign out after a notice").default(
              8,
            ),
          },
          section("users.signOutAfterNotice"),
        )
        .prefault({}),
      arrivalsPerHour: z
        .number({ error: "must be a number of sign-ins per hour; use 0 or more" })
        .min(0, { error: "must be 0 or more sign-ins per hour" })
        .max(100_000, { error: "must be at most 100000 sign-ins per hour" })
        .default(40),
      signBackIn: probability("it is the share of signed-out users who sign in again").default(0.8),
      disconnectedShare: probability("it is the share of sessions that are disconnected").default(0.1),
      // Default: the pool's load holds steady (see steadySessionMinutes).
      meanSessionMinutes: z
        .number({ error: "must be a number of minutes; use more than 0" })
        .positive({ error: "must be more than 0 minutes" })
        .optional(),
    },
    section("users"),
  )
  .prefault({});

const updateSchema = z
  .strictObject(
    {
      maxVmsRemoved: z
        .number({ error: "must be a whole number >= 1 (larger than the pool is fine)" })
        .int({ error: "must be a whole number >= 1 (larger than the pool is fine)" })
        .min(1, { error: "must be at least 1 (larger than the pool is fine); set it to 1 or more" })
        .default(3),
      logOffDelayMinutes: minutes(1440, "use 0 to 1440 minutes (Azure caps it at 60)").default(30),
      logOffMessage: z
        .string({ error: "must be a string of at most 260 characters" })
        .max(260, { error: "must be at most 260 characters, as in Azure; shorten it" })
        .default(DEFAULT_LOG_OFF_MESSAGE),
      deleteOriginalVm: z.boolean({ error: "must be true or false" }).default(false),
    },
    section("update"),
  )
  .prefault({});

const latencySchema = z
  .strictObject(
    {
      deallocateMinutes: minutes(1440, "use 0 to 1440").default(2),
      vmCreateMinutes: minutes(1440, "use 0 to 1440").default(5),
      extensionsMinutes: minutes(1440, "use 0 to 1440").default(10),
      registrationMinutes: minutes(1440, "use 0 to 1440").default(3),
      deleteMinutes: minutes(1440, "use 0 to 1440").default(2),
      jitter: z
        .number({ error: "must be a number from 0 (none) to 0.9" })
        .min(0, { error: "must be from 0 (none) to 0.9" })
        .max(0.9, { error: "must be from 0 (none) to 0.9" })
        .default(0.2),
    },
    section("latency"),
  )
  .prefault({});

const faultsSchema = z
  .strictObject(
    {
      registrationFailureRate: probability("it is the chance that a host's registration fails once").default(
        0,
      ),
      armTransientRate: probability("it is the chance that an ARM call fails transiently").default(0),
      crashes: z
        .number({ error: "must be a whole number of driver crashes; use 0 to 100" })
        .int({ error: "must be a whole number of driver crashes; use 0 to 100" })
        .min(0, { error: "must be 0 or more" })
        .max(100, { error: "must be at most 100" })
        .default(0),
      ...hostFaultFields,
    },
    section("faults"),
  )
  .prefault({});

export const scenarioSchema = z.strictObject({
  name: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" })
    .default("rehearsal"),
  seed: z
    .number({ error: "must be a whole number from 0 to 4294967295" })
    .int({ error: "must be a whole number from 0 to 4294967295" })
    .min(0, { error: "must be a whole number from 0 to 4294967295" })
    .max(4_294_967_295, { error: "must be a whole number from 0 to 4294967295" })
    .default(1),
  hostPool: hostPoolSchema,
  users: usersSchema,
  update: updateSchema,
  latency: latencySchema,
  faults: faultsSchema,
});

type ParsedScenario = z.output<typeof scenarioSchema>;
export type Scenario = Omit<ParsedScenario, "users"> & {
  users: Omit<ParsedScenario["users"], "meanSessionMinutes"> & { meanSessionMinutes: number };
};
/** What a scenario file may contain: every field optional. */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Longest default session: a pool with no arrivals keeps its users through a rollout of a day. */
const MAX_DEFAULT_SESSION_MINUTES = 24 * 60;

/**
 * The default mean session length: the one at which sessions end as fast as new users arrive, so
 * the pool keeps the load the scenario gives it for the whole rehearsal. Otherwise a slow rollout
 * would look kinder to users only because they went home meanwhile: strategies are compared on
 * the same load. Set `users.meanSessionMinutes` to model a pool that fills up or empties.
 */
export function steadySessionMinutes(scenario: Pick<ParsedScenario, "hostPool" | "users">): number {
  const { hostPool, users } = scenario;
  const serving =
    hostPool.hosts -
    new Set(hostPool.deallocated).size +
    hostPool.unmanaged.available +
    hostPool.unmanaged.drained;
  const sessions = serving * hostPool.sessionsPerHost;
  if (users.arrivalsPerHour <= 0 || sessions <= 0) return MAX_DEFAULT_SESSION_MINUTES;
  return Math.min(
    MAX_DEFAULT_SESSION_MINUTES,
    Math.max(1, Math.round((sessions / users.arrivalsPerHour) * 60)),
  );
}

/** The host names of the scenario's pool, `<prefix>-0 .. <prefix>-<hosts-1>`. */
export function scenarioHostNames(scenario: Pick<Scenario, "hostPool">): string[] {
  const { hosts, vmNamePrefix } = scenario.hostPool;
  return Array.from({ length: hosts }, (_, i) => `${vmNamePrefix}-${i}`);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key),
    "",
  );
}

function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type SchemaNode = z.core.$ZodType;

/** The object schema at `path` (through defaults and prefaults), for the fields it allows. */
function objectSchemaAt(path: readonly PropertyKey[]): z.ZodObject | undefined {
  const unwrap = (node: SchemaNode | undefined): SchemaNode | undefined => {
    let current = node;
    while (current !== undefined && !(current instanceof z.ZodObject)) {
      const def = current._zod.def as { innerType?: SchemaNode };
      current = def.innerType;
    }
    return current;
  };
  let node = unwrap(scenarioSchema);
  for (const key of path) {
    if (!(node instanceof z.ZodObject)) return undefined;
    node = unwrap((node.shape as Record<PropertyKey, SchemaNode | undefined>)[key]);
  }
  return node instanceof z.ZodObject ? node : undefined;
}

function unknownFieldLine(source: string, path: readonly PropertyKey[], key: string): string {
  const field = fieldName([...path, key]);
  const allowed = Object.keys(objectSchemaAt(path)?.shape ?? {});
  const guess = closestMatch(key, allowed);
  const fix =
    guess === undefined
      ? `remove it; ${path.length === 0 ? "a scenario has" : `${fieldName(path)} has`} ${allowed.join(", ")} (see docs/rehearsal.md)`
      : `did you mean ${fieldName([...path, guess])}? Rename it`;
  return `${source}: unknown field ${field}; ${fix}`;
}

/**
 * Every message is the scenario schema's own. Should a check ever lack one, zod's generic text
 * ("Invalid input: expected array, received string") is replaced by what the field needs.
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (!/^Invalid /.test(issue.message)) return issue.message;
  if (issue.code === "invalid_type")
    return `must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected} (see docs/rehearsal.md)`;
  return "is not a value this field takes (see docs/rehearsal.md)";
}

/** Validates and normalizes a scenario; throws InputError naming field, value and fix. */
export function parseScenario(raw: unknown, source = "scenario"): Scenario {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError(
      `${source}: ${show(raw)} is not a scenario; it must be a JSON object (see docs/rehearsal.md)`,
    );
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const lines: string[] = [];
    // One line per field: a value can fail several checks (1e20 is neither whole nor <= 999999).
    const reported = new Set<string>();
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) lines.push(unknownFieldLine(source, issue.path, key));
        continue;
      }
      const field = fieldName(issue.path);
      if (reported.has(field)) continue;
      reported.add(field);
      lines.push(
        `${source}: ${field} = ${show(valueAt(raw, issue.path))} is invalid: ${issueMessage(issue)}`,
      );
    }
    throw new InputError(lines.join("\n"));
  }
  const data = parsed.data;
  const scenario: Scenario = {
    ...data,
    users: { ...data.users, meanSessionMinutes: data.users.meanSessionMinutes ?? steadySessionMinutes(data) },
  };
  checkCrossFieldLimits(scenario, source);
  return scenario;
}

function checkCrossFieldLimits(scenario: Scenario, source: string): void {
  const { hostPool } = scenario;
  const problems: string[] = [];
  if (hostPool.sessionsPerHost > hostPool.maxSessionsPerHost) {
    problems.push(
      `${source}: hostPool.sessionsPerHost = ${hostPool.sessionsPerHost} is invalid: it exceeds hostPool.maxSessionsPerHost (${hostPool.maxSessionsPerHost}); lower it or raise maxSessionsPerHost`,
    );
  }
  const names = new Set(scenarioHostNames(scenario));
  for (const list of ["deallocated", "drained"] as const) {
    const seen = new Set<string>();
    hostPool[list].forEach((host, i) => {
      if (!names.has(host)) {
        problems.push(
          `${source}: hostPool.${list}[${i}] = ${JSON.stringify(host)} is invalid: it is not a host of the pool; use ${hostPool.vmNamePrefix}-0 .. ${hostPool.vmNamePrefix}-${hostPool.hosts - 1}`,
        );
      } else if (seen.has(host)) {
        problems.push(
          `${source}: hostPool.${list}[${i}] = ${JSON.stringify(host)} is listed twice; remove the duplicate`,
        );
      }
      seen.add(host);
    });
  }
  problems.push(...hostFieldProblems(scenario, source, names));
  if (problems.length > 0) throw new InputError(problems.join("\n"));
}

/** Reads and validates a scenario file (`--scenario FILE`). */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new InputError(
      `--scenario ${JSON.stringify(path)}: cannot read the file (${reason}); pass an existing scenario JSON file`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(
      `--scenario ${JSON.stringify(path)}: not valid JSON (${reason}); fix the file's syntax`,
    );
  }
  return parseScenario(raw, path);
}
