/**
 * Steering arrivals away from hosts about to go (spec §5.2-5.3), pure. AVD's only per-host lever
 * is drain mode: the driver turns it on for the hosts that leave soonest — under notice, due for
 * notice, or next in plan order — as early as it costs nobody a sign-in. A drained host keeps its
 * users; it just takes no new ones, so its load falls on its own before its notice, and users who
 * leave a host under notice sign in again on hosts that will not be touched again.
 *
 * Room: the hosts still accepting must keep session slots (under the pool's limit) for everyone
 * on the hosts under notice or leaving — they will all be signed out and may come back — plus
 * the sign-ins expected meanwhile. A host drained ahead of its notice keeps its users, who leave
 * at their own pace: only its slots count, until its notice starts. Hosts whose turn has come are
 * drained regardless, as the service does when it notifies a batch; if room runs short, the
 * hosts furthest from leaving accept again — those drained ahead first.
 *
 * The `azure` strategy models the service, which drains every host under notice and nothing else.
 */

export interface SteeringHost {
  host: string;
  /** Sessions on it now. */
  sessions: number;
  /** Drain mode is off now (it takes new sessions). */
  accepting: boolean;
  /** Its batch's turn has come (it is drained whatever the room). */
  turn: boolean;
  /** Under notice, or its notice starts now: its users will leave. */
  noticed: boolean;
}

export interface SteeringInput {
  /** The pool's per-host session limit. */
  maxSessionLimit: number;
  /** Free slots on every accepting host of the pool now (the candidates that accept included). */
  freeSlots: number;
  /** Sessions on hosts that left service and still have users (committed, not in `hosts`). */
  leavingSessions: number;
  /** Sign-ins expected while a host is under notice and being replaced (from the arrival rate). */
  expectedArrivals: number;
  /** Sign-ins expected within the next few minutes: below that, sign-ins are about to be refused. */
  imminentArrivals: number;
  /** The hosts that may be drained, most urgent first (plan order). */
  hosts: readonly SteeringHost[];
}

export interface SteeringDecision {
  /** Hosts to drain now. */
  drain: string[];
  /** Hosts to let accept again: room ran short, users come first. */
  undrain: string[];
}

/** Slack kept on top of the need before draining one more host, so decisions do not flap. */
export function steeringMargin(need: number): number {
  return Math.max(2, Math.ceil(need * 0.1));
}

export function decideSteering(input: SteeringInput): SteeringDecision {
  const slotsOf = (h: SteeringHost): number => Math.max(0, input.maxSessionLimit - h.sessions);
  let free = input.freeSlots;
  let displaced = input.leavingSessions;
  for (const h of input.hosts) if (!h.accepting && h.noticed) displaced += h.sessions;

  // Room ran short (more sign-ins than expected): the drained hosts furthest from leaving accept
  // again — those drained ahead of their notice first. A host under notice accepts again only when
  // sign-ins are about to be refused: whoever signs in on it gets a notice of their own (and its
  // user may have had one before), which costs users more than a tight pool does.
  const undrain: string[] = [];
  for (let i = input.hosts.length - 1; i >= 0 && free < displaced + input.expectedArrivals; i--) {
    const h = input.hosts[i];
    if (h.accepting || h.turn || h.noticed) continue;
    undrain.push(h.host);
    free += slotsOf(h);
  }
  for (let i = input.hosts.length - 1; i >= 0 && free < input.imminentArrivals; i--) {
    const h = input.hosts[i];
    if (h.accepting || h.turn || !h.noticed) continue;
    undrain.push(h.host);
    free += slotsOf(h);
  }
  if (undrain.length > 0)
    return { drain: input.hosts.filter((h) => h.turn && h.accepting).map((h) => h.host), undrain };

  // Draining ahead asks for more room than keeping drained: the users of every host drained ahead
  // must fit too (they will leave when its notice comes), so the room that starts a notice does not
  // make them accept again — a host that flips between drained and accepting gathers users who are
  // then told to leave.
  let ahead = 0;
  for (const h of input.hosts) if (!h.accepting && !h.noticed) ahead += h.sessions;
  const drain: string[] = [];
  let heldBack = false;
  for (const h of input.hosts) {
    if (!h.accepting) continue;
    // Plan order: once a host cannot be drained, the later ones wait — except those whose turn has
    // come, which are drained regardless wherever they are listed.
    if (heldBack && !h.turn) continue;
    const freeAfter = free - slotsOf(h);
    const need = displaced + h.sessions + input.expectedArrivals + (h.noticed ? 0 : ahead);
    if (!h.turn && freeAfter < need + steeringMargin(need)) {
      heldBack = true;
      continue;
    }
    drain.push(h.host);
    free = freeAfter;
    if (h.noticed) displaced += h.sessions;
    else ahead += h.sessions;
  }
  return { drain, undrain: [] };
}
