/**
 * Where AVD puts a new session (pooled host pools): among the session hosts that are
 * Available, allow new sessions and are below the session limit,
 * - BreadthFirst picks the host with the fewest sessions,
 * - DepthFirst picks the host with the most sessions (filling one host before the next).
 * Ties go to the lowest host index, which keeps rehearsals deterministic.
 */
export type LoadBalancerType = "BreadthFirst" | "DepthFirst";

export interface SessionHostCandidate {
  index: number;
}

/**
 * Picks among `candidates` (in index order); `sessionsOf` reads a candidate's session count.
 * Runs on every sign-in over every available host, so it allocates nothing.
 */
export function chooseSessionHost<C extends SessionHostCandidate>(
  candidates: Iterable<C>,
  sessionsOf: (candidate: C) => number,
  loadBalancer: LoadBalancerType,
  maxSessionsPerHost: number,
  exclude?: C,
): C | null {
  let best: C | null = null;
  let bestSessions = 0;
  const breadth = loadBalancer === "BreadthFirst";
  for (const candidate of candidates) {
    if (candidate === exclude) continue;
    const sessions = sessionsOf(candidate);
    if (sessions >= maxSessionsPerHost) continue;
    if (
      best === null ||
      (breadth ? sessions < bestSessions : sessions > bestSessions) ||
      (sessions === bestSessions && candidate.index < best.index)
    ) {
      best = candidate;
      bestSessions = sessions;
    }
  }
  return best;
}
