/**
 * Builds each handler's dependencies once per container (cold start) from the environment:
 * config → AWS clients → adapters → the core's deps. Handlers import only the getter they need.
 * The event API has its own, smaller wiring (ingestWiring.ts), so its bundle stays small.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { countAwsCalls } from "../shared/adapters/aws/callCounter.js";
import { awsClients } from "../shared/adapters/aws/clients.js";
import { DynamoBufferStore } from "../shared/adapters/aws/DynamoBufferStore.js";
import { DynamoCancellationStore } from "../shared/adapters/aws/DynamoCancellationStore.js";
import { DynamoConcurrencyStore } from "../shared/adapters/aws/DynamoConcurrencyStore.js";
import { DynamoEventStore } from "../shared/adapters/aws/DynamoEventStore.js";
import { DynamoGateStore } from "../shared/adapters/aws/DynamoGateStore.js";
import { DynamoPauseStore } from "../shared/adapters/aws/DynamoPauseStore.js";
import { DynamoRegistryStore } from "../shared/adapters/aws/DynamoRegistryStore.js";
import { DynamoRunStore } from "../shared/adapters/aws/DynamoRunStore.js";
import { DynamoRunUsageStore } from "../shared/adapters/aws/DynamoRunUsageStore.js";
import { KinesisEventStream } from "../shared/adapters/aws/KinesisEventStream.js";
import { LargeJson } from "../shared/adapters/aws/largeJson.js";
import { S3BlobStore } from "../shared/adapters/aws/S3BlobStore.js";
import {
  type CronScheduleNames,
  SchedulerCronSchedules,
} from "../shared/adapters/aws/SchedulerCronSchedules.js";
import { SqsWorkQueue } from "../shared/adapters/aws/SqsWorkQueue.js";
import { TimerServiceAws } from "../shared/adapters/aws/TimerServiceAws.js";
import { loadConfig, type TidelineConfig } from "../shared/config.js";
import type { ExecutorDeps } from "../shared/core/engine/executeJob.js";
import { withFunctionCache } from "../shared/core/registry/functionCache.js";
import type { RunnerDeps } from "../shared/core/runner/pipeline.js";
import { countingRunStore } from "../shared/core/runs/runMetrics.js";
import type { TimerKindDeps } from "../shared/core/scheduling/timerKinds.js";
import type { BlobStore, Clock } from "../shared/ports/index.js";
import type { RunUsageStore } from "../shared/ports/runUsage.js";
import { metrics } from "./metrics.js";
import { logger } from "./middleware.js";
import { traced, tracedClients } from "./tracing.js";

const DAY_SECONDS = 24 * 60 * 60;
const clock: Clock = { now: () => Date.now() };

/** In AWS the signing key lives in Secrets Manager (hex value; the key is `signkey-prod-<hex>`). */
async function signingKeys(config: TidelineConfig): Promise<string[]> {
  const arn = process.env.TIDELINE_SIGNING_KEY_SECRET_ARN;
  if (config.signingKeys.length > 0 || !arn) return config.signingKeys;
  const sm = traced(countAwsCalls(new SecretsManagerClient({})));
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = (secret.SecretString ?? "").trim();
  return value ? [value.startsWith("signkey-") ? value : `signkey-prod-${value}`] : [];
}

/** Where every schedule (wake-ups and cron triggers) lives and delivers, its DLQ included. */
function scheduleNames(config: TidelineConfig): CronScheduleNames {
  return {
    scheduleGroup: config.scheduleGroup,
    schedulerRoleArn: config.schedulerRoleArn,
    timersQueueArn: config.queues.timersArn,
    deadLetterArn: config.queues.timersDlqArn,
  };
}

function base() {
  const config = loadConfig();
  const clients = tracedClients(awsClients());
  const blobs = new S3BlobStore(clients.s3, config.bucket);
  const json = new LargeJson(blobs);
  const registry = new DynamoRegistryStore(clients.doc, config.tables.registry);
  const events = new DynamoEventStore(
    clients.doc,
    config.tables.events,
    json,
    config.eventRetentionDays * DAY_SECONDS,
    clock.now,
  );
  const store = new DynamoRunStore(
    clients.doc,
    { runs: config.tables.runs, flow: config.tables.flow, pauses: config.tables.pauses },
    json,
    config.runRetentionDays * DAY_SECONDS,
  );
  // Runs started and ended are counted where their writes commit (runMetrics.ts).
  const runs = countingRunStore(store, metrics);
  // runCosts off: no store, so jobs write no usage and the API's awsCost is null.
  const runUsage = config.runCosts
    ? new DynamoRunUsageStore(clients.doc, config.tables.runs, config.runRetentionDays * DAY_SECONDS)
    : undefined;
  const pauses = new DynamoPauseStore(clients.doc, config.tables.pauses, json);
  const cancellations = new DynamoCancellationStore(clients.doc, config.tables.flow);
  const buffers = new DynamoBufferStore(clients.doc, config.tables.flow, json);
  const gates = new DynamoGateStore(clients.doc, config.tables.flow);
  const concurrency = new DynamoConcurrencyStore(clients.doc, config.tables.flow);
  // System events, invokes and deferred runs go through the Event API's stream.
  const stream = new KinesisEventStream(clients.kinesis, config.stream);
  const work = new SqsWorkQueue(clients.sqs, config.queues.work);
  const timers = new TimerServiceAws(
    clients,
    {
      ...scheduleNames(config),
      timersQueueUrl: config.queues.timers,
      maxQueueDelaySeconds: config.timerQueueMaxDelaySeconds,
    },
    clock,
  );
  return {
    config,
    clients,
    blobs,
    registry,
    events,
    runs,
    runUsage,
    pauses,
    cancellations,
    buffers,
    gates,
    concurrency,
    work,
    timers,
    stream,
  };
}

const log = (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {});

export async function runnerDeps(): Promise<RunnerDeps & { blobs: BlobStore }> {
  const b = base();
  return { ...b, clock, log };
}

export async function executorDeps(): Promise<ExecutorDeps & { blobs: BlobStore; runUsage?: RunUsageStore }> {
  const b = base();
  return {
    ...b,
    registry: withFunctionCache(b.registry, clock.now),
    clock,
    http: (url, init) => fetch(url, init),
    signingKeys: await signingKeys(b.config),
    allowUnsignedResponses: b.config.allowUnsignedResponses,
    retryIntervalSeconds: b.config.retryIntervalSeconds,
    metrics,
    log,
  };
}

export async function timerDeps(): Promise<TimerKindDeps & { blobs: BlobStore; runUsage?: RunUsageStore }> {
  const b = base();
  return {
    work: b.work,
    timers: b.timers,
    stream: b.stream,
    runs: b.runs,
    runUsage: b.runUsage,
    pauses: b.pauses,
    registry: b.registry,
    cancellations: b.cancellations,
    buffers: b.buffers,
    gates: b.gates,
    concurrency: b.concurrency,
    blobs: b.blobs,
    clock,
    log,
  };
}

export async function apiDeps() {
  const b = base();
  return {
    ...b,
    // App syncs schedule cron triggers (registerApp).
    cronSchedules: new SchedulerCronSchedules(b.clients.scheduler, scheduleNames(b.config)),
    apiKeyHashes: b.config.apiKeyHashes,
    clock,
    now: () => clock.now(),
    mode: b.config.mode,
    signingKeys: await signingKeys(b.config),
  };
}
