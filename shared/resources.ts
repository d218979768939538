/**
 * The one resource manifest: every table, queue, stream, bucket, schedule and Lambda function
 * Tideline uses. The CDK stack (infra/stack) and the local runtime (infra/local) both build from
 * it, and every handler finds its resources through the environment variables named here
 * (shared/config.ts parses them). test/unit/infra/manifest.test.ts holds both sides to it.
 */
import type { TimerItem } from "./domain/schemas.js";

/** A global secondary index: sparse (items without the sort key attribute are not in it). */
export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: { readonly name: string; readonly type: "S" | "N" };
  /** Non-key attributes copied into the index. */
  readonly projection: readonly string[];
}

export interface TableSpec {
  /** Logical id, used for construct ids and local physical names. */
  readonly id: string;
  /** Environment variable that carries the physical table name to handlers. */
  readonly env: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry. TTL is lazy: readers must still check it. */
  readonly ttlAttribute?: string;
  readonly indexes?: readonly IndexSpec[];
  readonly purpose: string;
}

export interface QueueSpec {
  readonly id: string;
  readonly env: string;
  readonly fifo: boolean;
  /**
   * Seconds a received message stays invisible. Must be at least the consumer's timeout (synth
   * checks it); AWS recommends 6x, which the work queue cannot have with a 15-minute executor.
   */
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Logical id of the dead-letter queue and the receive count that sends a message there. */
  readonly deadLetter?: { readonly queueId: string; readonly maxReceiveCount: number };
  readonly purpose: string;
}

export interface StreamSpec {
  readonly id: string;
  readonly env: string;
  readonly purpose: string;
}

export interface BucketSpec {
  readonly id: string;
  readonly env: string;
  readonly purpose: string;
}

export const TABLES = {
  registry: {
    id: "Registry",
    env: "TIDELINE_TABLE_REGISTRY",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "apps, functions and the event-name trigger index",
  },
  events: {
    id: "Events",
    env: "TIDELINE_TABLE_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    indexes: [
      {
        // Received events by UTC day ("EVTS#<YYYY-MM-DD>"), for the events listing and stream.
        name: "byTime",
        partitionKey: "listDay",
        sortKey: { name: "receivedAt", type: "N" },
        projection: ["internalId", "name", "event", "runIds", "expiresAt"],
      },
    ],
    purpose: "received events (history with retention) and the runs each one started",
  },
  runs: {
    id: "Runs",
    env: "TIDELINE_TABLE_RUNS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    indexes: [
      {
        // Running runs by the time their pending jobs fell due, over RUN_INDEX_SHARDS partitions
        // ("ACTIVE#<n>"): what the recovery sweep reads. Final runs drop out (attributes removed).
        name: "active",
        partitionKey: "activeShard",
        sortKey: { name: "nextDueAt", type: "N" },
        projection: ["runId", "version", "next"],
      },
      {
        // Every run by the UTC day it was queued ("RUNS#<YYYY-MM-DD>"), for the runs listing.
        // Only attributes that change at most once are projected: a step does not write the index.
        name: "byTime",
        partitionKey: "listDay",
        sortKey: { name: "startedAt", type: "N" },
        projection: [
          "runId",
          "fnSlug",
          "appId",
          "status",
          "eventId",
          "eventName",
          "endedAt",
          "firstAttemptAt",
        ],
      },
    ],
    purpose: "run records, one item per step result, the runs-by-event index",
  },
  pauses: {
    id: "Pauses",
    env: "TIDELINE_TABLE_PAUSES",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "waitForEvent, invoke and cancelOn pauses, found by event name",
  },
  flow: {
    id: "Flow",
    env: "TIDELINE_TABLE_FLOW",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "idempotency keys, concurrency leases, throttle/rate-limit state, debounce and batch buffers",
  },
} as const satisfies Record<string, TableSpec>;

export const QUEUES = {
  workDlq: {
    id: "WorkDlq",
    env: "TIDELINE_QUEUE_WORK_DLQ",
    fifo: true,
    visibilityTimeoutSeconds: 60,
    retentionSeconds: 14 * 24 * 3600,
    purpose: "work jobs that failed delivery repeatedly (infrastructure failures, not SDK errors)",
  },
  work: {
    id: "Work",
    env: "TIDELINE_QUEUE_WORK",
    fifo: true,
    // Executor timeout is 15 min on AWS; the runtime extends visibility for longer waits itself.
    visibilityTimeoutSeconds: 960,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queueId: "workDlq", maxReceiveCount: 10 },
    purpose: "executor jobs; MessageGroupId = flow partition, dedup id = deterministic job id",
  },
  timersDlq: {
    id: "TimersDlq",
    env: "TIDELINE_QUEUE_TIMERS_DLQ",
    fifo: false,
    visibilityTimeoutSeconds: 60,
    retentionSeconds: 14 * 24 * 3600,
    purpose: "timer messages that failed delivery repeatedly",
  },
  timers: {
    id: "Timers",
    env: "TIDELINE_QUEUE_TIMERS",
    fifo: false,
    visibilityTimeoutSeconds: 180,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queueId: "timersDlq", maxReceiveCount: 10 },
    purpose: "delayed items (DelaySeconds <= 900); long delays arrive here from Scheduler",
  },
} as const satisfies Record<string, QueueSpec>;

export const STREAMS = {
  events: {
    id: "EventStream",
    env: "TIDELINE_STREAM_EVENTS",
    purpose: "accepted events, read by the runner",
  },
} as const satisfies Record<string, StreamSpec>;

export const BUCKETS = {
  payloads: {
    id: "Payloads",
    env: "TIDELINE_BUCKET_PAYLOADS",
    purpose: "event payloads and step outputs too large for a DynamoDB item",
  },
} as const satisfies Record<string, BucketSpec>;

export const SCHEDULER = {
  groupEnv: "TIDELINE_SCHEDULE_GROUP",
  /** Role that EventBridge Scheduler assumes to send to the timers queue. */
  roleArnEnv: "TIDELINE_SCHEDULER_ROLE_ARN",
  /** Scheduler's upper bounds on a target's retry policy: retry for up to a day, up to 185 times. */
  maxEventAgeSeconds: 86_400,
  maxRetryAttempts: 185,
} as const;

/**
 * The longest a Running run goes without a job reading its state: the longest sleep or wait
 * (`LIMITS.sleepMaxMs`, 366 days) plus a day for late timers. Run state and payloads are kept at
 * least this long past their last read, and the retention past it (adapters/aws/runExpiry.ts, the
 * payload bucket's lifecycle rule); a unit test holds it above the sleep limit.
 */
export const STATE_HORIZON_DAYS = 367;

/** Partitions of the runs table's `active` index (spreads the writes of busy deployments). */
export const RUN_INDEX_SHARDS = 16;

/** Recurring schedules in the schedule group, each delivering a timer item to the timers queue. */
export interface ScheduleSpec {
  readonly id: string;
  /** An EventBridge Scheduler `rate()` expression. */
  readonly expression: string;
  readonly item: TimerItem;
  readonly purpose: string;
}

export const SCHEDULES = {
  recoverySweep: {
    id: "RecoverySweep",
    expression: "rate(15 minutes)",
    item: { kind: "sweep" },
    purpose: "re-dispatches the pending jobs of runs whose job was lost (DLQ after an outage)",
  },
} as const satisfies Record<string, ScheduleSpec>;

export type TableName = keyof typeof TABLES;
export type QueueName = keyof typeof QUEUES;
export type StreamName = keyof typeof STREAMS;
export type BucketName = keyof typeof BUCKETS;

/** The queue's ARN travels beside its URL (Scheduler targets, event sources and IAM need it). */
export function arnEnv(spec: QueueSpec | StreamSpec): string {
  return `${spec.env}_ARN`;
}

/** Every environment variable that carries a resource address; shared/config.ts requires them all. */
export function resourceEnvNames(): string[] {
  return [
    ...Object.values<TableSpec>(TABLES).map((t) => t.env),
    ...Object.values<QueueSpec>(QUEUES).flatMap((q) => [q.env, arnEnv(q)]),
    ...Object.values<StreamSpec>(STREAMS).map((s) => s.env),
    ...Object.values<BucketSpec>(BUCKETS).map((b) => b.env),
    SCHEDULER.groupEnv,
    SCHEDULER.roleArnEnv,
  ];
}

// ---- functions ----

/** The handlers under `lambdas/`; each exports `handler`. */
export type LambdaEntry = "event-api" | "api" | "runner" | "executor" | "timer";

/**
 * The paths the HTTP API answers, as CloudFront path patterns: the distribution sends these to the
 * API and everything else to the dashboard's bucket, and `tideline dev` splits its port the same way.
 */
export const API_PATH_PATTERNS = ["/e/*", "/fn/*", "/v0/*", "/v1/*", "/dev", "/health"] as const;

/** Whether a path is the API's (matches one of API_PATH_PATTERNS as CloudFront matches them). */
export function isApiPath(pathname: string): boolean {
  return API_PATH_PATTERNS.some((p) =>
    p.endsWith("/*") ? pathname.startsWith(p.slice(0, -1)) : pathname === p,
  );
}

/** Routes of the HTTP API, in API Gateway's route-key syntax. */
export interface HttpSourceSpec {
  readonly kind: "http";
  readonly routes: readonly string[];
}

/** A Kinesis event-source mapping. */
export interface StreamSourceSpec {
  readonly kind: "stream";
  readonly stream: StreamName;
  readonly batchSize: number;
  /** Concurrent batches per shard. */
  readonly parallelizationFactor: number;
  readonly retryAttempts: number;
  readonly maxRecordAgeHours: number;
  /** Where Lambda writes the records it gave up on (with their payloads). */
  readonly failureBucket: BucketName;
}

/** An SQS event-source mapping. */
export interface QueueSourceSpec {
  readonly kind: "queue";
  readonly queue: QueueName;
  readonly batchSize: number;
  /** Standard queues only (FIFO mappings take no batching window). */
  readonly batchWindowSeconds?: number;
}

/**
 * DynamoDB item actions, as IAM names them (`dynamodb:<action>`). IAM has no action for a
 * transaction: each of its items needs its own (Put → PutItem, Update → UpdateItem, Delete →
 * DeleteItem, ConditionCheck → ConditionCheckItem), on its own table.
 */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "Scan"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem"
  | "ConditionCheckItem";

/** The names of a table's secondary indexes. */
export type IndexName<T extends TableName> = (typeof TABLES)[T] extends {
  readonly indexes: readonly (infer I)[];
}
  ? I extends { readonly name: infer N extends string }
    ? N
    : never
  : never;

/** A function's access to one table: the item actions its code calls, and the indexes it queries. */
export interface TableAccess<I extends string = string> {
  readonly actions: readonly TableAction[];
  /** Indexes the code queries; an index is granted Query and nothing else. */
  readonly queryIndexes?: readonly I[];
}

export type TableGrants = { readonly [T in TableName]?: TableAccess<IndexName<T>> };

export type BucketAction = "GetObject" | "PutObject";

/** Scheduler actions on the schedules of Tideline's group (ListSchedules has no resource level). */
export type SchedulerAction = "CreateSchedule" | "UpdateSchedule" | "DeleteSchedule" | "ListSchedules";

/**
 * What a function's code calls, and nothing more; the CDK bind helpers grant exactly this
 * (infra/stack/iamActions.ts maps it to IAM actions) and test/e2e/grants.e2e.test.ts holds every
 * AWS call a workload makes to it.
 */
export interface GrantsSpec {
  readonly tables?: TableGrants;
  readonly queues?: Partial<Record<QueueName, "send">>;
  readonly streams?: Partial<Record<StreamName, "putRecords">>;
  readonly buckets?: Partial<Record<BucketName, readonly BucketAction[]>>;
  /** Scheduler calls on the schedule group (CreateSchedule and UpdateSchedule pass its role too). */
  readonly scheduler?: readonly SchedulerAction[];
  /** Read the signing-key secret. */
  readonly signingKey?: boolean;
}

export interface FunctionSpec {
  /** Construct id on AWS. */
  readonly id: string;
  readonly entry: LambdaEntry;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly source: HttpSourceSpec | StreamSourceSpec | QueueSourceSpec;
  readonly grants: GrantsSpec;
}

/** API Gateway's HTTP API integration timeout (its maximum); the API handlers answer within it. */
export const HTTP_INTEGRATION_TIMEOUT_SECONDS = 30;

export const FUNCTIONS = {
  eventApi: {
    id: "EventApi",
    entry: "event-api",
    description: "POST /e/{eventKey}: validate events, put them on Kinesis",
    timeoutSeconds: 10,
    memoryMb: 512,
    source: { kind: "http", routes: ["POST /e/{eventKey}"] },
    // The hot path writes to the stream and touches nothing else.
    grants: { streams: { events: "putRecords" } },
  },
  api: {
    id: "Api",
    entry: "api",
    description: "App sync, REST v1, GraphQL and /dev",
    timeoutSeconds: 29,
    memoryMb: 512,
    source: { kind: "http", routes: ["$default"] },
    // Registers apps and functions; reads history and outputs (large ones in S3); cancels, reruns
    // and replays runs, records metadata, checkpoints, signals, bulk cancellations, sends events;
    // the signing key checks bearer tokens.
    grants: {
      tables: {
        // Syncs: the previous app and functions (GetItem), one BatchWriteItem of records and trigger
        // entries; /dev and GraphQL list apps and functions (Scan: a handful of items).
        registry: { actions: ["GetItem", "Scan", "BatchWriteItem"] },
        // Event reads and the events listing (byTime).
        events: { actions: ["GetItem"], queryIndexes: ["byTime"] },
        // Run history (Query), runs of an event (BatchGetItem), reruns (transaction Puts),
        // cancellations and checkpoints (UpdateItem), metadata and userland spans (BatchWriteItem),
        // the runs listing (byTime).
        runs: {
          actions: ["GetItem", "Query", "BatchGetItem", "PutItem", "UpdateItem", "BatchWriteItem"],
          queryIndexes: ["byTime"],
        },
        // Signals (Query); a cancel or a signal consumes pauses, a rerun writes cancelOn pauses and
        // declares their paths (UpdateItem).
        pauses: { actions: ["Query", "PutItem", "UpdateItem", "DeleteItem"] },
        // Bulk cancellations (Put/Get/Query/Delete), idempotency keys, and the flow gates and
        // concurrency leases of reruns and replays.
        flow: { actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"] },
      },
      // Reruns, replays and cancellations dispatch jobs and timers.
      queues: { work: "send", timers: "send" },
      streams: { events: "putRecords" },
      buckets: { payloads: ["GetObject", "PutObject"] },
      // Syncs create, update, list and delete the cron triggers' schedules; a chained cron's first
      // tick may be an at() schedule.
      scheduler: ["CreateSchedule", "UpdateSchedule", "DeleteSchedule", "ListSchedules"],
      signingKey: true,
    },
  },
  runner: {
    id: "Runner",
    entry: "runner",
    description: "Kinesis events to runs",
    timeoutSeconds: 120,
    memoryMb: 1024,
    source: {
      kind: "stream",
      stream: "events",
      batchSize: 100,
      parallelizationFactor: 10,
      retryAttempts: 100,
      maxRecordAgeHours: 12,
      failureBucket: "payloads",
    },
    // Stores events, matches triggers, creates runs, dispatches first jobs; poison records to S3.
    grants: {
      tables: {
        // One BatchWriteItem per batch of events; nothing reads them here.
        events: { actions: ["BatchWriteItem"] },
        // Functions of an event name (Query), a targeted event's function (GetItem).
        registry: { actions: ["GetItem", "Query"] },
        // New runs (transaction Puts), resumed and cancelled runs (UpdateItem), rate limits and
        // resumes read the run (GetItem).
        runs: { actions: ["GetItem", "PutItem", "UpdateItem"] },
        // Matching events to pauses (GetItem of the paths, Query per partition), consuming them,
        // cancelOn pauses of new runs.
        pauses: { actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"] },
        // Idempotency keys, debounce and batch buffers, throttle and rate-limit state, singleton
        // locks, concurrency leases and backlogs, bulk cancellations (Query).
        flow: { actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"] },
      },
      queues: { work: "send", timers: "send" },
      // cancelOn sends function.cancelled/finished through the stream.
      streams: { events: "putRecords" },
      // Large events and run payloads (Put); buffered events and pauses read back (Get).
      buckets: { payloads: ["GetObject", "PutObject"] },
      // A first job due beyond the timers queue's 15 minutes (an event with a future ts, a debounce).
      scheduler: ["CreateSchedule"],
    },
  },
  executor: {
    id: "Executor",
    entry: "executor",
    description: "Work jobs: one SDK call each",
    // Lambda's maximum; the work queue's visibility timeout (960 s) stays above it.
    timeoutSeconds: 900,
    memoryMb: 512,
    // One job per invocation: a slow or hung app holds only its own run's message group, never
    // the groups of other runs that would share its batch.
    source: { kind: "queue", queue: "work", batchSize: 1 },
    // No events table: a job reads its run, never the events store.
    grants: {
      tables: {
        // The run's state (Query), step results and transitions (Put/UpdateItem, in transactions
        // or alone), a settle's refusal reads the run (GetItem).
        runs: { actions: ["GetItem", "Query", "PutItem", "UpdateItem"] },
        // waitForSignal looks for a rival wait (Query); waits and invokes write pauses, an ending
        // run removes its pauses.
        pauses: { actions: ["Query", "PutItem", "UpdateItem", "DeleteItem"] },
        // Concurrency leases: claim, renew, release, park and refill the backlog.
        flow: { actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"] },
        // The run's function (invokes: the called one).
        registry: { actions: ["GetItem"] },
      },
      queues: { work: "send", timers: "send" },
      // System events, invokes and deferred runs go out through the stream.
      streams: { events: "putRecords" },
      buckets: { payloads: ["GetObject", "PutObject"] },
      // Sleeps beyond the timers queue's 15 minutes.
      scheduler: ["CreateSchedule"],
      signingKey: true,
    },
  },
  timer: {
    id: "Timer",
    entry: "timer",
    description: "Due timers to work jobs; the recovery sweep",
    timeoutSeconds: 30,
    memoryMb: 512,
    source: { kind: "queue", queue: "timers", batchSize: 10, batchWindowSeconds: 1 },
    // Wait timeouts resume runs, run timeouts and bulk cancellations cancel them (with events);
    // debounce and batch flushes create runs; the recovery sweep re-dispatches stalled runs.
    grants: {
      tables: {
        // Resumes and cancellations (GetItem, UpdateItem), runs created by flushes (Puts); the
        // sweep reads the `active` index, a bulk cancellation the `byTime` one.
        runs: { actions: ["GetItem", "PutItem", "UpdateItem"], queryIndexes: ["active", "byTime"] },
        // A timed-out wait consumes its pause, a cancelled run loses its pauses, a flushed run
        // gets its cancelOn pauses (and their paths declared).
        pauses: { actions: ["PutItem", "UpdateItem", "DeleteItem"] },
        // Functions of flushes, crons and bulk cancellations.
        registry: { actions: ["GetItem"] },
        // Buffers, gates, locks, leases and backlogs (flow checks), bulk cancellations.
        flow: { actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"] },
      },
      queues: { work: "send", timers: "send" },
      streams: { events: "putRecords" },
      buckets: { payloads: ["GetObject", "PutObject"] },
      // An early timer is delayed again; a chained cron schedules its next tick.
      scheduler: ["CreateSchedule"],
    },
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Physical name of a resource in the local runtime (CloudFormation names them on AWS). */
export function localName(prefix: string, id: string, fifo = false): string {
  return `${prefix}-${id}${fifo ? ".fifo" : ""}`;
}
