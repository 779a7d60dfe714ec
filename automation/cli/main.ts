import yargs from "yargs";
import { hideBin } from "yargs/helpers";

// Placeholder until the commands land: prints the CLI help.
void yargs(hideBin(process.argv)).scriptName("avd-rollout").help().parseAsync();
