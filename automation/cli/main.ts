/**
 * Entry point of the `avd-rollout` CLI (spec section 7). `npm start` with no arguments runs the
 * default command, `rehearse`, on the bundled demo scenario.
 */
import { hideBin } from "yargs/helpers";
import { exitCodeOf } from "./exitCodes";
import { buildCli } from "./commands";

async function main(): Promise<void> {
  try {
    await buildCli(hideBin(process.argv)).parseAsync();
  } catch (error) {
    // Command handlers report their own errors; what reaches here is a usage error from yargs.
    process.stderr.write(`avd-rollout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}

void main();
