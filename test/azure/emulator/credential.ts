/**
 * A static TokenCredential for the emulator: no identity service is reachable here, and the
 * emulator accepts exactly this token (a missing or different one is a violation).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { EMULATOR_TOKEN } from "./server";

export function emulatorCredential(token: string = EMULATOR_TOKEN): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}
