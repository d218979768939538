/**
 * `tideline dev` in one process: emulators, resources from the manifest, the five handlers loaded
 * in-process, an API Gateway-like HTTP server and the event-source mappings AWS would wire.
 */
import { awsClients } from "../../shared/adapters/aws/clients.js";
import { QUEUES, SCHEDULER, STREAMS } from "../../shared/resources.js";
import { syncApp } from "./appSync.js";
import { createResources } from "./bootstrap.js";
import { type EmulatorEndpoints, startEmulators } from "./emulators.js";
import { loadHandlers } from "./handlers.js";
import { startHttpServer } from "./http.js";
import { startKinesisPoller } from "./kinesisPoller.js";
import { FUNCTION_TIMEOUTS_MS } from "./lambdaContext.js";
import { consoleLogger, type Logger } from "./log.js";
import { startScheduleDriver } from "./scheduleDriver.js";
import { type Poller, startSqsPoller } from "./sqsPoller.js";

export interface LocalRuntimeOptions {
  /** Default 8288; 0 = a free port. */
  port?: number;
  /** Bind one address only; default 127.0.0.1 and ::1. */
  host?: string;
  /** Apps to sync on start (`-u`). */
  appUrls?: string[];
  /** Resource name prefix; default `tideline-dev`, tests pass a random one. */
  prefix?: string;
  /** Extra environment for the handlers, applied before they load. */
  env?: Record<string, string>;
  /** Concurrent pollers of the work queue. */
  executorConcurrency?: number;
  log?: Logger;
}

export interface LocalRuntime {
  url: string;
  port: number;
  endpoints: EmulatorEndpoints;
  /** The resource environment the handlers were started with. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function required(env: Record<string, string>, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`bootstrap did not produce ${name}`);
  return v;
}

export async function startLocalRuntime(opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = opts.log ?? consoleLogger();
  const emulators = await startEmulators();
  const stops: (() => Promise<void>)[] = [() => emulators.stop()];
  // Undo what started so far, newest first, when a later step fails or on stop().
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => log.warn("stop failed", err));
    }
  };
  try {
    const env = await createResources(opts.prefix ?? "tideline-dev");
    process.env.TIDELINE_MODE ??= "dev";
    Object.assign(process.env, opts.env ?? {});
    const handlers = await loadHandlers();
    const clients = awsClients();
    const region = process.env.AWS_REGION ?? "us-east-1";

    const server = await startHttpServer({
      eventApi: handlers.eventApi,
      api: handlers.api,
      port: opts.port ?? 8288,
      ...(opts.host ? { host: opts.host } : {}),
      log,
    });
    stops.push(() => server.close());

    const pollers: Poller[] = [
      startKinesisPoller({
        kinesis: clients.kinesis,
        streamName: required(env, STREAMS.events.env),
        streamArn: required(env, `${STREAMS.events.env}_ARN`),
        handler: handlers.runner,
        functionName: "runner",
        timeoutMs: FUNCTION_TIMEOUTS_MS.runner,
        region,
        log,
      }),
      startSqsPoller({
        sqs: clients.sqs,
        queueUrl: required(env, QUEUES.work.env),
        queueArn: required(env, `${QUEUES.work.env}_ARN`),
        handler: handlers.executor,
        functionName: "executor",
        timeoutMs: FUNCTION_TIMEOUTS_MS.executor,
        concurrency: opts.executorConcurrency ?? 4,
        region,
        log,
      }),
      startSqsPoller({
        sqs: clients.sqs,
        queueUrl: required(env, QUEUES.timers.env),
        queueArn: required(env, `${QUEUES.timers.env}_ARN`),
        handler: handlers.timer,
        functionName: "timer",
        timeoutMs: FUNCTION_TIMEOUTS_MS.timer,
        concurrency: 2,
        region,
        log,
      }),
      startScheduleDriver({
        scheduler: clients.scheduler,
        sqs: clients.sqs,
        groupName: required(env, SCHEDULER.groupEnv),
        log,
      }),
    ];
    // Pollers stop before the server and emulators (they let in-flight invocations finish).
    stops.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    const sync = new AbortController();
    const syncs = (opts.appUrls ?? []).map((url) => syncApp(url, { signal: sync.signal, log }));
    stops.push(async () => {
      sync.abort();
      await Promise.all(syncs);
    });

    const host = opts.host && opts.host !== "localhost" ? opts.host : "127.0.0.1";
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
    return { url, port: server.port, endpoints: emulators.endpoints, env, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
