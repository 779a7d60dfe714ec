/**
 * What a command runs with: its process (CliIo), its ports (PortsFactory) and who it is (the
 * lease owner). Production commands use {@link defaultRuntime}; tests hand a runtime to yargs'
 * `parseAsync(args, { runtime })`, which yargs passes to the handler inside argv.
 */
import { hostname, userInfo } from "node:os";
import type { CliIo } from "./io";
import { processIo } from "./io";
import type { PortsFactory } from "./portsFactory";
import type * as RealPorts from "./realPorts";
import { requirePulumiCli } from "../pulumi/pulumiCli";
import { projectDirectory } from "./packageFiles";
import { stackNamesOf } from "./stackFiles";

export interface CliRuntime {
  io: CliIo;
  ports: PortsFactory;
  /** Lease holder's name: the pipeline run, else user@machine. */
  owner: string;
  /** Wall-clock now (ms) for validating --at; the ports' clock is used for everything else. */
  now(): number;
}

/** A pipeline run names itself; an administrator is user@machine. */
export function ownerName(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    return `github:${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  if (env.BUILD_BUILDID && env.SYSTEM_TEAMPROJECT) {
    return `azure-devops:${env.SYSTEM_TEAMPROJECT}/build/${env.BUILD_BUILDID}`;
  }
  let user = env.USER ?? env.USERNAME ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep the environment's name.
  }
  return `${user}@${hostname()}`;
}

let productionRuntime: CliRuntime | undefined;

/** The real runtime: this process and the real ports (loaded on first use, with the SDKs). */
export function defaultRuntime(): CliRuntime {
  if (!productionRuntime) {
    const io = processIo();
    productionRuntime = {
      io,
      owner: ownerName(io.env),
      now: () => Date.now(),
      ports: {
        open: async (stackName) => {
          // Every real stack needs the Pulumi CLI: say so before loading the SDKs and the
          // program (seconds), not after.
          requirePulumiCli();
          // Loaded lazily so `--help` and flag errors never load the Azure SDK or Pulumi. A
          // require, not import(): under tsx (bin/avd-rollout.js) a dynamic import goes to Node's
          // ESM loader, which cannot load .ts files.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { createRealPorts } = require("./realPorts") as typeof RealPorts;
          return createRealPorts(stackName, io);
        },
        listStacks: async () => stackNamesOf(projectDirectory()),
      },
    };
  }
  return productionRuntime;
}

/** The runtime a handler runs with: the one the caller passed to parseAsync, else the real one. */
export function runtimeOf(argv: { runtime?: unknown }): CliRuntime {
  const given = argv.runtime;
  if (given && typeof given === "object" && "io" in given && "ports" in given) return given as CliRuntime;
  return defaultRuntime();
}
