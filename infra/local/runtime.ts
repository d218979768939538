/**
 * `tideline dev` in one process: emulators, resources from the manifest, every function of the
 * manifest loaded in-process, an API Gateway-like HTTP server and the event-source mappings AWS
 * would wire, all read from shared/resources.ts.
 */
import { join, resolve } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { awsClients } from "../../shared/adapters/aws/clients.js";
import type { TimerMessage } from "../../shared/domain/schemas.js";
import { arnEnv, BUCKETS, QUEUES, SCHEDULER, STREAMS } from "../../shared/resources.js";
import { syncApp } from "./appSync.js";
import { createResources } from "./bootstrap.js";
import { type EmulatorEndpoints, startEmulators } from "./emulators.js";
import { compileRoutes, type LocalFunction, localFunctions, mappingSettings } from "./functions.js";
import { type LocalHandlers, loadHandlers } from "./handlers.js";
import { startHttpServer } from "./http.js";
import { startKinesisPoller } from "./kinesisPoller.js";
import { consoleLogger, type Logger } from "./log.js";
import { paceByQueue } from "./pacing.js";
import { mirrorBucket } from "./persist.js";
import { startScheduleDriver } from "./scheduleDriver.js";
import { type Poller, startSqsPoller } from "./sqsPoller.js";
import { dashboardSite } from "./staticSite.js";

/** Concurrent invocations per queue mapping by default, like the Inngest dev server's queue workers. */
export const DEFAULT_QUEUE_WORKERS = 100;

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
  /** Concurrent invocations of each queue mapping (the executor's SDK calls run side by side). */
  queueWorkers?: number;
  /** Keep state in this folder across restarts (DynamoDB files and the payload bucket's objects). */
  persistDir?: string;
  log?: Logger;
}

export interface LocalRuntime {
  url: string;
  port: number;
  endpoints: EmulatorEndpoints;
  /** The resource environment the handlers were started with. */
  env: Record<string, string>;
  /**
   * Stops intake, lets in-flight work finish (at most `graceMs`, default: as long as it takes),
   * then stops the emulators. Work cut off returns after its visibility timeout on the next start.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

function required(env: Record<string, string>, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`bootstrap did not produce ${name}`);
  return v;
}

/** The event-source mapping of one function, as its manifest entry describes it. */
function startMapping(
  fn: LocalFunction,
  handlers: LocalHandlers,
  env: Record<string, string>,
  opts: { queueWorkers: number; log: Logger; stoppingAt: () => number | undefined },
): Poller | undefined {
  const settings = mappingSettings(fn);
  if (!settings) return undefined;
  const common = {
    handler: handlers.get(fn.name),
    functionName: fn.spec.entry,
    timeoutMs: settings.timeoutMs,
    batchSize: settings.batchSize,
    log: opts.log,
    stoppingAt: opts.stoppingAt,
  };
  if (settings.kind === "stream") {
    const stream = STREAMS[settings.stream];
    return startKinesisPoller({
      ...common,
      kinesis: awsClients().kinesis,
      streamName: required(env, stream.env),
      streamArn: required(env, arnEnv(stream)),
      parallelizationFactor: settings.parallelizationFactor,
      pace: (signal) => paceByQueue(awsClients().sqs, required(env, QUEUES.work.env), signal),
    });
  }
  const queue = QUEUES[settings.queue];
  return startSqsPoller({
    ...common,
    sqs: awsClients().sqs,
    queueUrl: required(env, queue.env),
    queueArn: required(env, arnEnv(queue)),
    maxConcurrency: opts.queueWorkers,
  });
}

/** Asks the timer function to re-dispatch the pending jobs of every Running run (after a restart). */
async function sweepAll(env: Record<string, string>): Promise<void> {
  const message: TimerMessage = { item: { kind: "sweep", dueBefore: Number.MAX_SAFE_INTEGER }, dueAt: 0 };
  await awsClients().sqs.send(
    new SendMessageCommand({
      QueueUrl: required(env, QUEUES.timers.env),
      MessageBody: JSON.stringify(message),
    }),
  );
}

export async function startLocalRuntime(opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = opts.log ?? consoleLogger();
  const persistDir = opts.persistDir ? resolve(opts.persistDir) : undefined;
  const emulators = await startEmulators(persistDir ? { dynamoDbDir: join(persistDir, "dynamodb") } : {});
  const stops: ((graceMs?: number) => Promise<void>)[] = [() => emulators.stop()];
  /** When a stop began, running invocations see their time end at its grace (lambdaContext). */
  let stoppingAt: number | undefined;
  // Undo what started so far, newest first, when a later step fails or on stop().
  const stopAll = async (graceMs?: number) => {
    stoppingAt ??= Date.now() + (graceMs ?? 0);
    for (const stop of stops.splice(0).reverse()) {
      await stop(graceMs).catch((err: unknown) => log.warn("stop failed", err));
    }
  };
  try {
    if (persistDir && !emulators.started) {
      log.warn(
        "--persist keeps state only in the emulators it starts; AWS_ENDPOINT_URL's emulator decides for itself",
      );
    }
    const env = await createResources(opts.prefix ?? "tideline-dev");
    if (persistDir) {
      const mirror = await mirrorBucket({
        s3: awsClients().s3,
        bucket: required(env, BUCKETS.payloads.env),
        dir: join(persistDir, "payloads"),
        log,
      });
      stops.push(() => mirror.stop());
    }
    process.env.TIDELINE_MODE ??= "dev";
    Object.assign(process.env, opts.env ?? {});
    const functions = localFunctions();
    const handlers = await loadHandlers(functions);

    // On stop the HTTP server at once serves only what running requests need (no new events), the
    // mappings drain (the stream mapping first, so the events it still reads can start runs before
    // the queues stop), then the server closes, then the emulators.
    const mappings = functions.flatMap((fn) => {
      const poller = startMapping(fn, handlers, env, {
        queueWorkers: opts.queueWorkers ?? DEFAULT_QUEUE_WORKERS,
        log,
        stoppingAt: () => stoppingAt,
      });
      return poller ? [{ kind: fn.spec.source.kind, poller }] : [];
    });
    const driver = startScheduleDriver({
      scheduler: awsClients().scheduler,
      sqs: awsClients().sqs,
      groupName: required(env, SCHEDULER.groupEnv),
      log,
    });
    const server = await startHttpServer({
      handlers,
      routes: compileRoutes(functions),
      port: opts.port ?? 8288,
      ...(opts.host ? { host: opts.host } : {}),
      stopping: () => stoppingAt !== undefined,
      dashboard: dashboardSite(),
      log,
    });
    stops.push(() => server.close());
    // The server closes after the mappings drain: runs still finishing checkpoint through it.
    stops.push(async (graceMs) => {
      for (const { poller } of mappings.filter((m) => m.kind === "stream")) await poller.stop({ graceMs });
      await Promise.all(
        mappings.filter((m) => m.kind !== "stream").map(({ poller }) => poller.stop({ graceMs })),
      );
      await driver.stop();
    });

    if (persistDir) await sweepAll(env);

    const sync = new AbortController();
    const syncs = (opts.appUrls ?? []).map((url) => syncApp(url, { signal: sync.signal, log }));
    stops.push(async () => {
      sync.abort();
      await Promise.all(syncs);
    });

    const host = opts.host && opts.host !== "localhost" ? opts.host : "127.0.0.1";
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
    return { url, port: server.port, endpoints: emulators.endpoints, env, stop: (o) => stopAll(o?.graceMs) };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
