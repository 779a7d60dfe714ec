/**
 * The users of the simulated pool.
 *
 * - At the start, every available host carries `sessionsPerHost` sessions (drained hosts too:
 *   drain mode keeps existing sessions); a share `disconnectedShare` of them is disconnected
 *   (it counts, but cannot read a message and never reacts).
 * - New users arrive as a Poisson process (`arrivalsPerHour`) and sign in through the load
 *   balancer; sessions end on their own after an exponential time (`meanSessionMinutes`).
 * - An active session that receives its first notice signs out with probability
 *   `signOutAfterNotice.probability` after an exponential delay (mean `meanMinutes`); such a
 *   user signs back in with probability `signBackIn` a little later, onto another host.
 * All randomness comes from the users' own seeded stream.
 */
import type { Random } from "./random";
import type { SimHost, SimSession, SimulatedWorld } from "./world";
import type { TimerHandle } from "./virtualClock";

const MINUTE = 60_000;
/** Mean time between signing out after a notice and signing in again. */
const SIGN_BACK_IN_MEAN_MINUTES = 2;

export class UserBehaviour {
  private nextSessionId = 1;
  private nextUserId = 1;
  private running = false;
  private arrival: TimerHandle | null = null;
  private readonly timers = new Map<string, TimerHandle[]>();
  /** Users who have read a notice in any session. */
  private readonly notifiedUsers = new Set<string>();

  constructor(
    private readonly world: SimulatedWorld,
    private readonly random: Random,
  ) {}

  start(): void {
    this.running = true;
    const { hostPool, users } = this.world.scenario;
    for (const host of this.world.hosts()) {
      const serving = host.sessionHost !== null && this.world.statusOf(host) === "Available";
      if (!serving) continue;
      for (let i = 0; i < hostPool.sessionsPerHost; i++) {
        const disconnected = this.random.chance(users.disconnectedShare);
        // Users were already working: in a steady pool a session's age is distributed like its lifetime.
        const age = this.random.exponential(users.meanSessionMinutes) * MINUTE;
        this.openSession(host, this.newUser(), disconnected ? "Disconnected" : "Active", age);
      }
    }
    this.scheduleArrival();
  }

  stop(): void {
    this.running = false;
    this.arrival?.cancel();
    for (const handles of this.timers.values()) for (const handle of handles) handle.cancel();
    this.timers.clear();
  }

  private newUser(): string {
    return `user${String(this.nextUserId++).padStart(5, "0")}@contoso.com`;
  }

  private scheduleArrival(): void {
    const perHour = this.world.scenario.users.arrivalsPerHour;
    if (!this.running || perHour <= 0) return;
    this.arrival = this.world.clock.schedule(this.random.exponential(60 / perHour) * MINUTE, () => {
      this.signIn(this.newUser(), null);
      this.scheduleArrival();
    });
  }

  /** Signs a user in through the load balancer, avoiding `avoidHost` (where they just left). */
  private signIn(user: string, avoidHost: string | null): void {
    if (!this.running) return;
    const avoid = avoidHost === null ? undefined : this.world.host(avoidHost);
    const host = this.world.chooseHost(avoid);
    if (!host) {
      this.world.stats.rejectedSignIns++;
      this.world.emit({ type: "world.session", host: null, user, action: "refused" });
      return;
    }
    this.openSession(host, user, "Active");
  }

  private openSession(host: SimHost, user: string, state: SimSession["state"], ageMs = 0): void {
    const session: SimSession = {
      id: String(this.nextSessionId++),
      user,
      host: host.name,
      state,
      createdAt: this.world.clock.now() - ageMs,
      notices: 0,
      notifiedTwice: false,
    };
    host.sessions.set(session.id, session);
    this.world.emit({
      type: "world.session",
      host: host.name,
      user,
      session: session.id,
      action: "signedIn",
    });
    this.world.noteHost(host);
    const lifetime = this.random.exponential(this.world.scenario.users.meanSessionMinutes) * MINUTE;
    this.addTimer(
      session,
      this.world.clock.schedule(lifetime, () => this.signOutSelf(session)),
    );
  }

  private addTimer(session: SimSession, handle: TimerHandle): void {
    const list = this.timers.get(session.id);
    if (list) list.push(handle);
    else this.timers.set(session.id, [handle]);
  }

  private signOutSelf(session: SimSession): void {
    const host = this.world.host(session.host);
    if (host?.sessions.get(session.id) === session) this.world.endSession(host, session, "signedOut");
  }

  /** Called by the world when an active session receives a message. */
  onNotice(session: SimSession): void {
    // Counted once per session: its user had read a notice before (here or in an earlier session).
    if (this.notifiedUsers.has(session.user) && !session.notifiedTwice) {
      session.notifiedTwice = true;
      this.world.stats.sessionsNotifiedTwice++;
    }
    this.notifiedUsers.add(session.user);
    if (session.notices !== 1) return;
    const { probability, meanMinutes } = this.world.scenario.users.signOutAfterNotice;
    if (!this.random.chance(probability)) return;
    const delay = this.random.exponential(meanMinutes) * MINUTE;
    this.addTimer(
      session,
      this.world.clock.schedule(delay, () => this.signOutAfterNotice(session)),
    );
  }

  private signOutAfterNotice(session: SimSession): void {
    const host = this.world.host(session.host);
    if (host?.sessions.get(session.id) !== session) return;
    this.world.endSession(host, session, "signedOut");
    if (this.random.chance(this.world.scenario.users.signBackIn)) {
      const delay = this.random.exponential(SIGN_BACK_IN_MEAN_MINUTES) * MINUTE;
      this.world.clock.schedule(delay, () => this.signIn(session.user, session.host));
    }
  }

  /** Called by the world when a session ended (any reason): its pending timers go. */
  onSessionEnded(session: SimSession, action: "signedOut" | "loggedOff"): void {
    const handles = this.timers.get(session.id);
    if (handles) for (const handle of handles) handle.cancel();
    this.timers.delete(session.id);
    // A user signed out by force comes back too, if they would after a notice.
    if (action === "loggedOff" && this.running && this.random.chance(this.world.scenario.users.signBackIn)) {
      const delay = this.random.exponential(SIGN_BACK_IN_MEAN_MINUTES) * MINUTE;
      this.world.clock.schedule(delay, () => this.signIn(session.user, session.host));
    }
  }
}
