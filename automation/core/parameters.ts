/**
 * The parameters of one rollout: the stack's `update` policy with the run's overrides, validated
 * (spec §3 limits). Bad values are InputErrors naming the setting, the value and the fix.
 */
import { InputError } from "./errors";
import type { DesiredPool } from "./ports";
import type { RolloutParameters } from "./record";
import type { StartRequest } from "./driverTypes";

export const MAX_LOG_OFF_DELAY_MINUTES = 1440;
export const MAX_LOG_OFF_MESSAGE_LENGTH = 260;

export function validateParameters(
  policy: DesiredPool["update"],
  request: StartRequest,
  now: number,
): RolloutParameters {
  const batchSize = request.batchSize ?? policy.maxVmsRemoved;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError(
      `batch size (--batch-size / avd-rollout:update.maxVmsRemoved) must be a whole number >= 1, got ${String(batchSize)}; ` +
        `use e.g. --batch-size 3`,
    );
  }
  const delay = request.logOffDelayMinutes ?? policy.logOffDelayMinutes;
  if (!Number.isInteger(delay) || delay < 0 || delay > MAX_LOG_OFF_DELAY_MINUTES) {
    throw new InputError(
      `log-off delay (--log-off-delay / avd-rollout:update.logOffDelayMinutes) must be a whole number of minutes from 0 to ` +
        `${MAX_LOG_OFF_DELAY_MINUTES}, got ${String(delay)}; use e.g. --log-off-delay 30`,
    );
  }
  const message = request.logOffMessage ?? policy.logOffMessage;
  if (typeof message !== "string" || message.trim() === "" || message.length > MAX_LOG_OFF_MESSAGE_LENGTH) {
    throw new InputError(
      `log-off message (--message / avd-rollout:update.logOffMessage) must be 1 to ${MAX_LOG_OFF_MESSAGE_LENGTH} characters, ` +
        `got ${typeof message === "string" ? `${message.length} characters` : String(message)}; shorten it`,
    );
  }
  const deleteOriginalVm = request.deleteOriginalVm ?? policy.deleteOriginalVm;
  const params: RolloutParameters = {
    batchSize,
    logOffDelayMinutes: delay,
    logOffMessage: message,
    deleteOriginalVm,
  };
  if (request.startAt !== undefined) {
    const at = Date.parse(request.startAt);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(request.startAt) || !Number.isFinite(at)) {
      throw new InputError(
        `start time (--at) must be an ISO time such as 2026-04-15T22:00:00Z, got ${JSON.stringify(request.startAt)}`,
      );
    }
    if (at > now) params.startAt = new Date(at).toISOString();
  }
  return params;
}
