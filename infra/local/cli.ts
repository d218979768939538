/**
 * The `tideline` command. `tideline dev` runs the local runtime until Ctrl-C.
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { consoleLogger } from "./log.js";
import { tidelineHome } from "./paths.js";
import { DEFAULT_QUEUE_WORKERS, startLocalRuntime } from "./runtime.js";

export const USAGE = `Usage: tideline dev [options]

Runs Tideline locally: emulators, resources and every handler in one process.

Options:
  -p, --port <port>             port to serve on (default 8288)
  -u, --sdk-url <url>           app URL to sync on start (repeatable)
      --retry-interval <secs>   fixed delay between function retries
      --queue-workers <n>       SDK calls in flight at once (default ${DEFAULT_QUEUE_WORKERS})
      --persist [dir]           keep apps, events and runs across restarts (default dir:
                                .tideline/state); without it state lives in memory
  -h, --help                    show this help
`;

/** How long a stop waits for in-flight work per stage before it gives up on it. */
export const STOP_GRACE_MS = 2000;
/** A stop that takes longer than this (a stuck emulator) ends the process anyway. */
const STOP_DEADLINE_MS = 10_000;

/** `--persist` takes an optional folder, which node's parseArgs cannot express: read it first. */
function takePersist(args: string[]): { rest: string[]; persistDir?: string } {
  const i = args.indexOf("--persist");
  if (i === -1) return { rest: args };
  const next = args[i + 1];
  const hasDir = next !== undefined && !next.startsWith("-");
  const rest = [...args.slice(0, i), ...args.slice(i + (hasDir ? 2 : 1))];
  return { rest, persistDir: hasDir ? next : join(tidelineHome, "state") };
}

class UsageError extends Error {}

function parseDevArgs(all: string[]) {
  const { rest: args, persistDir } = takePersist(all);
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: "string", short: "p", default: "8288" },
      "sdk-url": { type: "string", short: "u", multiple: true, default: [] },
      "retry-interval": { type: "string" },
      "queue-workers": { type: "string", default: String(DEFAULT_QUEUE_WORKERS) },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals.join(" ")}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port: ${values.port}`);
  const retry = values["retry-interval"];
  if (retry !== undefined && !/^\d+$/.test(retry)) throw new UsageError(`invalid --retry-interval: ${retry}`);
  const workers = Number(values["queue-workers"]);
  if (!Number.isInteger(workers) || workers < 1 || workers > 10_000) {
    throw new UsageError(`invalid --queue-workers: ${values["queue-workers"]} (1 to 10000)`);
  }
  return {
    port,
    appUrls: values["sdk-url"],
    retryInterval: retry,
    queueWorkers: workers,
    persistDir,
    help: values.help,
  };
}

/** Runs the command; resolves with the exit code once the runtime has stopped. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== "dev") {
    process.stderr.write(`${command ? `unknown command: ${command}\n` : ""}${USAGE}`);
    return 2;
  }
  let opts: ReturnType<typeof parseDevArgs>;
  try {
    opts = parseDevArgs(rest);
  } catch (err) {
    process.stderr.write(`tideline dev: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = consoleLogger();
  const env: Record<string, string> = {};
  if (opts.retryInterval !== undefined) env.TIDELINE_RETRY_INTERVAL_SECONDS = opts.retryInterval;
  const started = Date.now();
  let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
  try {
    runtime = await startLocalRuntime({
      port: opts.port,
      appUrls: opts.appUrls,
      env,
      log,
      queueWorkers: opts.queueWorkers,
      ...(opts.persistDir ? { persistDir: opts.persistDir } : {}),
    });
  } catch (err) {
    log.warn("could not start", err);
    return 1;
  }
  log.info(`emulators: AWS ${runtime.endpoints.aws}, DynamoDB ${runtime.endpoints.dynamodb}`);
  log.info(
    opts.persistDir
      ? `state is kept in ${opts.persistDir}; pending work resumes after a restart`
      : "state lives in memory: stopping discards every app, event and run (--persist keeps them)",
  );
  log.info(`ready in ${Date.now() - started} ms: ${runtime.url} (also http://localhost:${runtime.port})`);
  log.info(`dashboard: http://localhost:${runtime.port}/`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      log.info("stopping (Ctrl-C again to force)");
      const deadline = setTimeout(() => {
        log.warn(`still stopping after ${STOP_DEADLINE_MS} ms: exiting without waiting`);
        resolve(1);
      }, STOP_DEADLINE_MS);
      runtime.stop({ graceMs: STOP_GRACE_MS }).then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(deadline);
          log.warn("stop failed", err);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
