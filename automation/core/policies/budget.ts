/**
 * The capacity budget (spec §5.2), pure: at every moment at most `batchSize` of the stack's hosts
 * that were serving and accepting when the rollout started are out of service. Hosts that were
 * already deallocated or in drain mode cost nothing; a host that is down for reasons of its own
 * counts against the budget like one of ours — users feel both the same.
 */

/**
 * Whether a host the rollout touched belongs to the budget's hosts: it took new sessions and ran
 * before the rollout touched it. Hosts in drain mode or deallocated then cost nothing. Its health
 * at that moment does not matter: a host down when first touched counts again once it is back,
 * like an untouched one (the baseline counted it if it served at the start).
 */
export function countsForBudget(original: { allowNewSession: boolean; powerState: string }): boolean {
  return original.allowNewSession && original.powerState === "running";
}

export interface BudgetInput {
  /** Hosts serving and accepting at the start (the record's baseline). */
  baseline: number;
  /** Of the same population, hosts serving now and not committed to leave. */
  inService: number;
  batchSize: number;
}

/** How many more serving hosts may leave service now (never negative). */
export function budgetLeft(input: BudgetInput): number {
  const out = Math.max(0, input.baseline - input.inService);
  return Math.max(0, input.batchSize - out);
}

export interface CommitCandidate {
  host: string;
  batch: number;
  /** 1 when taking it out costs budget (it serves and was accepting at the start), else 0. */
  cost: 0 | 1;
  /** Its notice allows it to go now (empty, or its first notice ran out) and nothing holds it back. */
  ready: boolean;
}

export interface CommitSelection {
  commit: string[];
  /** A ready host the budget could not take, when nothing is waiting on anything else. */
  heldByBudget: string | null;
}

/**
 * Which noticed hosts leave service now, walking them in plan order: a batch's hosts go as they
 * are ready and as the budget allows; a later batch's hosts go only once every host of the
 * earlier ones has gone (`candidates` holds only hosts that have not gone yet).
 */
export function selectCommits(candidates: readonly CommitCandidate[], budget: number): CommitSelection {
  const commit: string[] = [];
  let left = budget;
  let heldByBudget: string | null = null;
  let currentBatch: number | null = null;
  let batchAllGoing = true;
  for (const candidate of candidates) {
    if (candidate.batch !== currentBatch) {
      // Plan order: the next batch waits until every host of this one has gone.
      if (!batchAllGoing) break;
      currentBatch = candidate.batch;
    }
    if (!candidate.ready) {
      batchAllGoing = false;
      continue;
    }
    if (candidate.cost > left) {
      heldByBudget ??= candidate.host;
      batchAllGoing = false;
      continue;
    }
    left -= candidate.cost;
    commit.push(candidate.host);
  }
  return { commit, heldByBudget };
}
