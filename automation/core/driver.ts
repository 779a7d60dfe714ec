/**
 * The rollout driver's public API (spec section 5): start a rollout, or continue the one recorded
 * on the pool. The work itself is the observe -> decide -> act loop in `reconciler.ts`.
 */
export type { DriverDeps, RolloutOutcome, RolloutResult, StartRequest, Strategy } from "./driverTypes";
export { startRollout, continueRollout } from "./rollout";
