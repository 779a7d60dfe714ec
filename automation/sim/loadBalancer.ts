/**
 * Where AVD puts a new session in a pooled host pool: among the session hosts that are
 * Available, allow new sessions and are below the session limit, BreadthFirst picks the host
 * with the fewest sessions, DepthFirst the one with the most (filling one host before the next).
 * The simulation's load balancer is in poolCapacity.ts.
 */
export type LoadBalancerType = "BreadthFirst" | "DepthFirst";
