/**
 * How a rollout is driven: `avd-rollout`, or `azure` — the Azure service's documented behaviour
 * (one batch at a time, drained at notice, the full delay every batch), for rehearsed comparison.
 */
export type Strategy = "avd-rollout" | "azure";
