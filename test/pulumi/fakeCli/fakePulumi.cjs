/**
 * A fake `pulumi` CLI for tests of the real Automation API code (`LocalWorkspace`, `Stack`): put
 * this directory first on PATH. It
 * - answers `version` (FAKE_PULUMI_VERSION, default 3.248.0), as `pulumi version` prints it;
 * - appends every invocation (arguments, working directory) as a JSON line to FAKE_PULUMI_LOG;
 * - answers each command from the scenario in FAKE_PULUMI_SCENARIO (JSON):
 *   `{ "commands": { "<command>": { "stdout", "stderr", "exitCode", "events": { "stream", "rename" } } } }`
 *   where <command> is the command's words before its first flag (`preview`, `stack export`,
 *   `config`, ...);
 * - writes the named engine event stream (test/pulumi/engineStreams, recorded by the engine's own
 *   tests) to `--event-log`: over gRPC to the Automation API's events server for a `tcp://`
 *   address (CLI > 3.205, as the SDK selects), else appended to the file, as the CLI does.
 * It never runs the inline program (`--client=`): engine events stand for what the program did.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
if (process.env.FAKE_PULUMI_LOG) {
  fs.appendFileSync(process.env.FAKE_PULUMI_LOG, `${JSON.stringify({ args, cwd: process.cwd() })}\n`);
}

const scenario = process.env.FAKE_PULUMI_SCENARIO
  ? JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_SCENARIO, "utf8"))
  : {};
const version = process.env.FAKE_PULUMI_VERSION ?? "3.248.0";

const firstFlag = args.findIndex((arg) => arg.startsWith("-"));
const command = (firstFlag < 0 ? args : args.slice(0, firstFlag)).join(" ");

const defaults = {
  version: { stdout: `v${version}\n` },
  "stack select": {},
  config: { stdout: "{}\n" },
  "stack export": { stdout: `${JSON.stringify({ version: 3, deployment: {} })}\n` },
  "stack output": { stdout: "{}\n" },
  "stack history": {
    stdout: `${JSON.stringify([
      {
        version: 1,
        kind: "update",
        startTime: "2026-04-15T17:16:07Z",
        endTime: "2026-04-15T17:16:09Z",
        message: "",
        environment: {},
        config: {},
        result: "succeeded",
        resourceChanges: {},
      },
    ])}\n`,
  },
};

function flagValue(name) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function streamLines(events) {
  const text = fs.readFileSync(path.join(__dirname, "..", "engineStreams", `${events.stream}.jsonl`), "utf8");
  let out = text;
  for (const [from, to] of Object.entries(events.rename ?? {})) {
    out = out.replace(new RegExp(`::${from}(?=[\\\\"'])`, "g"), `::${to}`);
  }
  return out.split("\n").filter((line) => line.trim() !== "");
}

/** Sends the events as the CLI does: gRPC stream to the SDK's events server, or lines to a file. */
function writeEvents(target, lines) {
  if (!target.startsWith("tcp://")) {
    fs.appendFileSync(target, lines.map((line) => `${line}\n`).join(""));
    return Promise.resolve();
  }
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
  const services = require(path.join(sdkDir, "proto", "events_grpc_pb.js"));
  const messages = require(path.join(sdkDir, "proto", "events_pb.js"));
  const client = new services.EventsClient(target.slice("tcp://".length), grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.streamEvents((error) => {
      client.close();
      if (error) reject(error);
      else resolve();
    });
    for (const line of lines) {
      const request = new messages.EventRequest();
      request.setEvent(line);
      call.write(request);
    }
    call.end();
  });
}

async function main() {
  const answer = { ...(defaults[command] ?? {}), ...((scenario.commands ?? {})[command] ?? {}) };
  const eventLog = flagValue("--event-log");
  if (eventLog && answer.events) await writeEvents(eventLog, streamLines(answer.events));
  if (answer.stdout) process.stdout.write(answer.stdout);
  if (answer.stderr) process.stderr.write(answer.stderr);
  process.exitCode = answer.exitCode ?? 0;
}

main().catch((error) => {
  process.stderr.write(`fake pulumi: ${error && error.stack ? error.stack : String(error)}\n`);
  process.exitCode = 99;
});
