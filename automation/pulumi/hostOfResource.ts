/**
 * Which session host a Pulumi resource belongs to, from its URN alone.
 *
 * The program names every per-host resource after its host (`avdprod-3`, `avdprod-3-nic`,
 * `avdprod-3-2026-04-15T17-16-07`, ...) or parents it under a per-host component named after
 * the host. A URN is `urn:pulumi:<stack>::<project>::<type chain>::<name>`; the resource's own
 * name is the last `::` segment. The longest known host name that the name equals or starts
 * with followed by `-` wins, so `avd-10-nic` is `avd-10`, never `avd-1`.
 */

export function resourceNameOfUrn(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

export function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4) return "";
  const chain = parts[parts.length - 2] ?? "";
  const types = chain.split("$");
  return types[types.length - 1] ?? "";
}

/** A matcher from resource names to host names, built once per known host set. */
export function hostMatcher(knownHosts: Iterable<string>): (resourceName: string) => string | null {
  const byLength = [...new Set(knownHosts)].sort((a, b) => b.length - a.length);
  return (resourceName) => {
    for (const host of byLength) {
      if (
        resourceName === host ||
        resourceName.startsWith(`${host}-`) ||
        resourceName.startsWith(`${host}.`)
      ) {
        return host;
      }
    }
    return null;
  };
}

/** The host a URN belongs to: by its own name, else by a parent component's name in `parentUrn`. */
export function hostOfUrn(
  urn: string,
  match: (resourceName: string) => string | null,
  parentUrn?: string,
): string | null {
  const own = match(resourceNameOfUrn(urn));
  if (own !== null) return own;
  if (parentUrn && parentUrn !== urn && !parentUrn.includes("pulumi:pulumi:Stack")) {
    return match(resourceNameOfUrn(parentUrn));
  }
  return null;
}
