/**
 * The `tideline` command. `tideline dev` runs the local runtime until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { consoleLogger } from "./log.js";
import { startLocalRuntime } from "./runtime.js";

export const USAGE = `Usage: tideline dev [options]

Runs Tideline locally: emulators, resources and every handler in one process.

Options:
  -p, --port <port>             port to serve on (default 8288)
  -u, --sdk-url <url>           app URL to sync on start (repeatable)
      --retry-interval <secs>   fixed delay between function retries
  -h, --help                    show this help
`;

class UsageError extends Error {}

function parseDevArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: "string", short: "p", default: "8288" },
      "sdk-url": { type: "string", short: "u", multiple: true, default: [] },
      "retry-interval": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals.join(" ")}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port: ${values.port}`);
  const retry = values["retry-interval"];
  if (retry !== undefined && !/^\d+$/.test(retry)) throw new UsageError(`invalid --retry-interval: ${retry}`);
  return { port, appUrls: values["sdk-url"], retryInterval: retry, help: values.help };
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
    runtime = await startLocalRuntime({ port: opts.port, appUrls: opts.appUrls, env, log });
  } catch (err) {
    log.warn("could not start", err);
    return 1;
  }
  log.info(`emulators: AWS ${runtime.endpoints.aws}, DynamoDB ${runtime.endpoints.dynamodb}`);
  log.info(`ready in ${Date.now() - started} ms: ${runtime.url} (also http://localhost:${runtime.port})`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      log.info("stopping (Ctrl-C again to force)");
      runtime.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.warn("stop failed", err);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
