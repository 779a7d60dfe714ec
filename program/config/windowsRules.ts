/**
 * Azure's rules for Windows VM names and local administrator credentials, as checks that return a
 * problem message (`<problem>. Fix: <fix>`) or undefined. Messages never contain a password.
 * Sources: Azure compute osProfile documentation (computerName, adminUsername, adminPassword).
 */
import {
  ADMIN_PASSWORD_MAX,
  ADMIN_PASSWORD_MIN,
  ADMIN_USERNAME_MAX,
  COMPUTER_NAME_MAX,
  SESSION_HOST_COUNT_MAX,
  VM_NAME_PREFIX_MAX,
} from "./limits";

/** Letters, digits and hyphens (NetBIOS-safe), starting with a letter or digit, not ending with a hyphen. */
const PREFIX_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export function vmNamePrefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0)
    return "is empty. Fix: set a prefix of 1 to 11 letters, digits or hyphens, e.g. avdprod";
  if (prefix.length > VM_NAME_PREFIX_MAX) {
    return (
      `has ${prefix.length} characters; Azure allows at most ${VM_NAME_PREFIX_MAX} ` +
      `(host names <prefix>-<index> are Windows computer names, at most ${COMPUTER_NAME_MAX}). ` +
      `Fix: shorten it, e.g. ${prefix
        .replace(/[^A-Za-z0-9-]/g, "")
        .slice(0, VM_NAME_PREFIX_MAX)
        .replace(/-+$/, "")}`
    );
  }
  if (!PREFIX_PATTERN.test(prefix)) {
    return (
      "is not a valid Windows computer-name prefix: only letters, digits and hyphens, " +
      "not starting or ending with a hyphen. Fix: use e.g. avdprod"
    );
  }
  return undefined;
}

/** Problem with the longest host name `<prefix>-<count-1>`, if any. */
export function hostNameLengthProblem(prefix: string, count: number): string | undefined {
  const longest = `${prefix}-${count - 1}`;
  if (longest.length <= COMPUTER_NAME_MAX) return undefined;
  const digits = String(count - 1).length;
  const maxCount = Math.min(SESSION_HOST_COUNT_MAX, 10 ** (COMPUTER_NAME_MAX - prefix.length - 1));
  return (
    `makes the last host name ${longest} ${longest.length} characters long; Windows computer names have at most ` +
    `${COMPUTER_NAME_MAX}. Fix: lower count to at most ${maxCount}, or shorten vmNamePrefix to at most ` +
    `${COMPUTER_NAME_MAX - 1 - digits} characters`
  );
}

export const DOMAIN_ACCOUNT_WHAT = "a domain account (user@domain, DOMAIN\\user or user)";
export const DOMAIN_ACCOUNT_FIX = "use the join account's UPN, e.g. join@corp.contoso.com";

/** A domain join account: `user@domain`, `DOMAIN\user` or a bare account name. */
export function isDomainAccountName(value: string): boolean {
  return (
    /^[^@\s\\]+@[^@\s\\]+\.[^@\s\\]+$/.test(value) ||
    /^[^\\\s@]+\\[^\\\s@]+$/.test(value) ||
    /^[^\\\s@/"[\]:|<>+=;,?*]+$/.test(value)
  );
}

/** Names Azure refuses as a VM admin username (case-insensitive). */
export const RESERVED_ADMIN_USERNAMES: readonly string[] = [
  "administrator",
  "admin",
  "user",
  "user1",
  "test",
  "user2",
  "test1",
  "user3",
  "admin1",
  "1",
  "123",
  "a",
  "actuser",
  "adm",
  "admin2",
  "aspnet",
  "backup",
  "console",
  "david",
  "guest",
  "john",
  "owner",
  "root",
  "server",
  "sql",
  "support",
  "support_388945a0",
  "sys",
  "test2",
  "test3",
  "user4",
  "user5",
];

const USERNAME_FORBIDDEN = /[\\/"[\]:|<>+=;,?*@&\s]/;

export function adminUsernameProblem(username: string): string | undefined {
  if (username.length === 0) return "is empty. Fix: set a local administrator name, e.g. avdadmin";
  if (username.length > ADMIN_USERNAME_MAX) {
    return `has ${username.length} characters; Azure allows at most ${ADMIN_USERNAME_MAX} for Windows. Fix: shorten it`;
  }
  if (RESERVED_ADMIN_USERNAMES.includes(username.toLowerCase())) {
    return "is a name Azure reserves for Windows VMs. Fix: choose another name, e.g. avdadmin";
  }
  if (USERNAME_FORBIDDEN.test(username)) {
    return 'contains a character Azure refuses (\\ / " [ ] : | < > + = ; , ? * @ & or a space). Fix: use letters, digits, ".", "-" or "_"';
  }
  if (username.endsWith(".")) return 'ends with "."; Azure refuses that. Fix: remove the trailing "."';
  return undefined;
}

/**
 * Azure's Windows admin password rules: 12..123 characters and 3 of 4 character classes (lower
 * case, upper case, digit, special). Windows also refuses a password that contains the account name.
 * The message describes what is wrong, never the password.
 */
export function adminPasswordProblem(password: string, username: string | undefined): string | undefined {
  if (password.length < ADMIN_PASSWORD_MIN || password.length > ADMIN_PASSWORD_MAX) {
    return (
      `must have ${ADMIN_PASSWORD_MIN} to ${ADMIN_PASSWORD_MAX} characters. ` +
      `Fix: pulumi config set --secret --path <key> with a longer password`
    );
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(password),
  ).length;
  if (classes < 3) {
    return (
      `uses ${classes} of the 4 character classes (lower case, upper case, digit, special character); Azure requires 3. ` +
      "Fix: pulumi config set --secret --path <key> with a stronger password"
    );
  }
  if (
    username !== undefined &&
    username.length >= 3 &&
    password.toLowerCase().includes(username.toLowerCase())
  ) {
    return "contains the username; Windows refuses that. Fix: pulumi config set --secret --path <key> with another password";
  }
  return undefined;
}
