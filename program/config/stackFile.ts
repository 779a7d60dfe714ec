/**
 * Offline check of a `Pulumi.<stack>.yaml` stack file — what `avd-rollout validate` runs on a pull
 * request, with nothing installed but this package: the YAML, the file's own keys, and the stack
 * configuration with exactly the checks and messages of the program (`checkStackConfig`).
 *
 * Secrets are checked for presence, not content: a password must be a Pulumi secret (`secure:`,
 * which only Pulumi can decrypt, so its rules are checked at deployment) or a Key Vault secret URI
 * (read at deployment). A password in plain text in the file is a problem. Pure: the caller reads
 * the file.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { checkStackConfig } from "./parseStackConfig";
import { CONFIG_NAMESPACE, configKeys } from "./keys";
import { closestMatch } from "./suggest";

/** Top-level keys of a Pulumi stack settings file (Pulumi's ProjectStack). */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

export interface StackFileProblem {
  /** The same line the program reports (`<key path>: <value> <problem>. Fix: <fix>`). */
  readonly message: string;
  /** 1-based line in the file the problem is about, when it can be placed. */
  readonly line?: number;
}

export interface StackFileSecret {
  /** Full key path, e.g. `avd-rollout:sessionHostConfiguration.vmAdminCredentials.password`. */
  readonly key: string;
  /** `pulumi-secret`: encrypted in the file; `key-vault`: read from the URI at deployment. */
  readonly source: "pulumi-secret" | "key-vault";
  /** The Key Vault secret URI (not a secret itself). */
  readonly uri?: string;
}

export interface StackFileCheck {
  readonly valid: boolean;
  readonly problems: StackFileProblem[];
  readonly secrets: StackFileSecret[];
  /** What could not be checked offline (encrypted non-password values, ESC environments). */
  readonly notes: string[];
  /** `<prefix>-0 .. <prefix>-<count-1>` when the session hosts could be read. */
  readonly hosts?: { readonly vmNamePrefix: string; readonly count: number };
  /** Azure's friendlyName of the configuration, when set. */
  readonly friendlyName?: string;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isEncrypted = (value: unknown): boolean =>
  isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string";

/** `hostPool` is `avd-rollout:hostPool`: Pulumi reads a key without a namespace as the project's. */
function fullKey(key: string): string {
  return key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

/** Splits `avd-rollout:sessionHostConfiguration.availabilityZones[1]` into YAML path segments. */
function pathSegments(keyPath: string): (string | number)[] {
  const colon = keyPath.indexOf(":");
  const firstDot = keyPath.slice(colon).search(/[.[]/);
  const head = firstDot === -1 ? keyPath : keyPath.slice(0, colon + firstDot);
  const rest = firstDot === -1 ? "" : keyPath.slice(colon + firstDot);
  const segments: (string | number)[] = [head];
  for (const match of rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return segments;
}

/** The line of the deepest node on `keyPath` that exists in the file (the key's own line when it does). */
function lineOf(
  document: Document,
  counter: LineCounter,
  configKey: Map<string, string>,
  keyPath: string,
): number | undefined {
  const [head, ...rest] = pathSegments(keyPath);
  const written = configKey.get(String(head));
  if (written === undefined) return undefined;
  let node: unknown = document.getIn(["config"], true);
  let line: number | undefined;
  for (const segment of [written, ...rest]) {
    if (!isMap(node) && !isSeq(node)) break;
    const items: unknown[] = node.items;
    const item =
      typeof segment === "number"
        ? items[segment]
        : items.find((entry) => isPair(entry) && isScalar(entry.key) && entry.key.value === segment);
    if (item === undefined) break;
    const anchor = isPair(item) ? item.key : item;
    const range = (anchor as { range?: [number, number, number] } | null)?.range;
    if (range !== undefined) line = counter.linePos(range[0]).line;
    node = isPair(item) ? item.value : item;
  }
  return line;
}

/** Passwords and Key Vault URIs of the two accounts, and plain passwords (a problem in a file). */
function credentialFindings(config: Raw): { secrets: StackFileSecret[]; plain: string[] } {
  const secrets: StackFileSecret[] = [];
  const plain: string[] = [];
  const shcKey = configKeys.sessionHostConfiguration;
  const shc = config[shcKey];
  if (!isRecord(shc)) return { secrets, plain };
  const domain = isRecord(shc.domainInfo) ? shc.domainInfo : undefined;
  const ad =
    domain !== undefined && isRecord(domain.activeDirectoryInfo) ? domain.activeDirectoryInfo : undefined;
  const accounts: [string, unknown][] = [[`${shcKey}.vmAdminCredentials`, shc.vmAdminCredentials]];
  if (ad !== undefined)
    accounts.push([`${shcKey}.domainInfo.activeDirectoryInfo.domainCredentials`, ad.domainCredentials]);
  for (const [path, account] of accounts) {
    if (!isRecord(account)) continue;
    if (isEncrypted(account.password)) secrets.push({ key: `${path}.password`, source: "pulumi-secret" });
    else if (typeof account.password === "string") plain.push(`${path}.password`);
    for (const part of ["username", "password"] as const) {
      const uri = account[`${part}KeyVaultSecretUri`];
      if (typeof uri === "string")
        secrets.push({ key: `${path}.${part}KeyVaultSecretUri`, source: "key-vault", uri });
    }
  }
  return { secrets, plain };
}

/** Checks the text of a stack file named `fileName` (used in messages). */
export function checkStackFile(text: string, fileName: string): StackFileCheck {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      valid: false,
      secrets: [],
      notes: [],
      problems: document.errors.map((error) => {
        const at = error.linePos?.[0];
        const what = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
        return {
          message: `${fileName}${at === undefined ? "" : `:${at.line}:${at.col}`}: ${what}. Fix: correct the YAML (indent with spaces, one key per line, close quotes and brackets)`,
          ...(at === undefined ? {} : { line: at.line }),
        };
      }),
    };
  }
  const root: unknown = document.toJS();
  if (!isRecord(root)) {
    return {
      valid: false,
      secrets: [],
      notes: [],
      problems: [
        {
          message: `${fileName}: is not a Pulumi stack file (a YAML mapping with a config: block). Fix: start from stacks/Pulumi.example.yaml`,
        },
      ],
    };
  }
  const problems: StackFileProblem[] = [];
  for (const key of Object.keys(root)) {
    if (STACK_FILE_KEYS.includes(key)) continue;
    const guess = closestMatch(key, STACK_FILE_KEYS);
    const node = document.get(key, true) as { range?: [number, number, number] } | undefined;
    problems.push({
      message: `${fileName}: ${key}: unknown key of a stack file. Fix: ${guess === undefined ? `remove it; a stack file has ${STACK_FILE_KEYS.join(", ")}` : `did you mean ${guess}? Rename it`}`,
      ...(node?.range === undefined ? {} : { line: counter.linePos(node.range[0]).line }),
    });
  }
  const notes: string[] = [];
  if (root.environment !== undefined) {
    notes.push(
      "the stack imports Pulumi ESC environments (environment:); values they provide are not seen offline",
    );
  }
  if (!isRecord(root.config)) {
    problems.push({
      message: `${fileName}: has no config: block with the stack configuration. Fix: add config: with the keys of stacks/Pulumi.example.yaml`,
    });
    return { valid: false, problems, secrets: [], notes };
  }

  const configKey = new Map<string, string>();
  const config: Raw = {};
  for (const [key, value] of Object.entries(root.config)) {
    configKey.set(fullKey(key), key);
    config[fullKey(key)] = value;
  }
  const checked = checkStackConfig(config, { encryptedValues: "skip" });
  for (const message of checked.problems) {
    // Every line starts with the key path it is about (`<path>: ...` or `<path> is missing...`).
    const keyPath = message.split(" ")[0]!.replace(/:$/, "");
    const line = lineOf(document, counter, configKey, keyPath);
    problems.push({ message, ...(line === undefined ? {} : { line }) });
  }
  const { secrets, plain } = credentialFindings(config);
  for (const key of plain) {
    const line = lineOf(document, counter, configKey, key);
    problems.push({
      message: `${key}: [secret] is in plain text in the stack file. Fix: pulumi config set --secret --path ${key} '<password>' (it is stored encrypted), or set ${key}KeyVaultSecretUri to a Key Vault secret URI`,
      ...(line === undefined ? {} : { line }),
    });
  }
  const passwordKeys = new Set(
    secrets.filter((secret) => secret.source === "pulumi-secret").map((s) => s.key),
  );
  for (const path of checked.unchecked) {
    if (!passwordKeys.has(path))
      notes.push(`${path} is encrypted, so it is checked only when Pulumi decrypts it (at deployment)`);
  }
  const sessionHosts = config[configKeys.sessionHosts];
  const shc = config[configKeys.sessionHostConfiguration];
  return {
    valid: problems.length === 0,
    problems,
    secrets,
    notes,
    ...(isRecord(sessionHosts) &&
    typeof sessionHosts.vmNamePrefix === "string" &&
    Number.isInteger(Number(sessionHosts.count))
      ? { hosts: { vmNamePrefix: sessionHosts.vmNamePrefix, count: Number(sessionHosts.count) } }
      : {}),
    ...(isRecord(shc) && typeof shc.friendlyName === "string" ? { friendlyName: shc.friendlyName } : {}),
  };
}
