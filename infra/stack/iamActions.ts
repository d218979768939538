/**
 * The IAM actions behind Tideline's AWS calls, as one pure mapping used twice: bind.ts turns a
 * manifest entry's grants into policy statements with it, and test/e2e/grants.e2e.test.ts checks
 * every call a workload makes against the same mapping. Resources are named by manifest key
 * ("table:runs", "table:runs/index/active", "queue:work"), not ARN, so both sides compare.
 *
 * What IAM authorises, per AWS's documentation:
 * - a DynamoDB transaction has no action of its own: each item needs its single-item action on
 *   its table (Put → PutItem, Update → UpdateItem, Delete → DeleteItem, ConditionCheck →
 *   ConditionCheckItem; TransactGetItems' Get → GetItem). "Using IAM with DynamoDB transactions",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * - BatchWriteItem and BatchGetItem are actions of their own, on each table named in RequestItems;
 * - Query and Scan of a secondary index are authorised on the index's ARN (`<table>/index/<name>`);
 * - SQS batch calls are authorised as their single forms (SendMessageBatch → SendMessage),
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html
 * - S3 object calls are authorised on the object ARN; GetObject of a missing key answers 403
 *   rather than 404 without s3:ListBucket on the bucket (S3BlobStore reads a 404 as "absent");
 * - Scheduler's Create/UpdateSchedule also pass the target role (iam:PassRole); ListSchedules
 *   has no resource-level permission (Resource "*").
 */
import type {
  BucketAction,
  BucketName,
  GrantsSpec,
  QueueName,
  SchedulerAction,
  StreamName,
  TableAccess,
  TableName,
} from "../../shared/resources.js";

/** One permission: an IAM action on a resource named by manifest key. */
export interface Permission {
  readonly action: string;
  readonly resource: string;
}

/** The resource names permissions use. */
export const resourceKey = {
  table: (table: TableName) => `table:${table}`,
  index: (table: TableName, index: string) => `table:${table}/index/${index}`,
  queue: (queue: QueueName) => `queue:${queue}`,
  stream: (stream: StreamName) => `stream:${stream}`,
  bucket: (bucket: BucketName) => `bucket:${bucket}`,
  objects: (bucket: BucketName) => `bucket:${bucket}/*`,
  /** The schedules of Tideline's schedule group. */
  schedules: "schedules:tideline/*",
  /** What an action without resource-level permissions is granted on. */
  any: "*",
  /** The role Scheduler assumes to deliver Tideline's schedules. */
  schedulerRole: "role:scheduler",
  signingKey: "secret:signingKey",
} as const;

/** A resource a call touched, resolved to the manifest (see callCounter.ts for the raw form). */
export type CallResource =
  | { kind: "table"; table: TableName; index?: string; itemOps?: readonly string[] }
  | { kind: "queue"; queue: QueueName }
  | { kind: "stream"; stream: StreamName }
  | { kind: "bucket"; bucket: BucketName }
  | { kind: "scheduleGroup" }
  | { kind: "signingKey" };

/** One AWS call: "DynamoDB.TransactWriteItems" on the tables it wrote, with each one's item ops. */
export interface ResolvedCall {
  readonly service: string;
  readonly operation: string;
  readonly resources: readonly CallResource[];
}

/** IAM's service prefix per SDK client name. */
const PREFIX: Record<string, string> = {
  DynamoDB: "dynamodb",
  SQS: "sqs",
  Kinesis: "kinesis",
  S3: "s3",
  Scheduler: "scheduler",
  SecretsManager: "secretsmanager",
};

/** A transaction item's operation → the action IAM checks for it. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

/** SQS batch operations are authorised as their single form. */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: "SendMessage",
  DeleteMessageBatch: "DeleteMessage",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibility",
};

function tablePermissions(operation: string, r: Extract<CallResource, { kind: "table" }>): Permission[] {
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    // Without its items the call cannot be judged: an action no grant names makes that visible.
    if (!r.itemOps?.length)
      return [{ action: `dynamodb:${operation}`, resource: resourceKey.table(r.table) }];
    return r.itemOps.map((op) => ({
      action: `dynamodb:${TRANSACT_ITEM_ACTIONS[op] ?? op}`,
      resource: resourceKey.table(r.table),
    }));
  }
  const resource = r.index ? resourceKey.index(r.table, r.index) : resourceKey.table(r.table);
  return [{ action: `dynamodb:${operation}`, resource }];
}

function resourcePermissions(prefix: string, operation: string, r: CallResource): Permission[] {
  switch (r.kind) {
    case "table":
      return tablePermissions(operation, r);
    case "queue":
      return [
        { action: `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`, resource: resourceKey.queue(r.queue) },
      ];
    case "stream":
      return [{ action: `kinesis:${operation}`, resource: resourceKey.stream(r.stream) }];
    case "bucket":
      return [{ action: `s3:${operation}`, resource: resourceKey.objects(r.bucket) }];
    case "scheduleGroup": {
      if (operation === "ListSchedules")
        return [{ action: "scheduler:ListSchedules", resource: resourceKey.any }];
      const own = { action: `scheduler:${operation}`, resource: resourceKey.schedules };
      const passes = operation === "CreateSchedule" || operation === "UpdateSchedule";
      return passes ? [own, { action: "iam:PassRole", resource: resourceKey.schedulerRole }] : [own];
    }
    case "signingKey":
      return [{ action: `${prefix}:${operation}`, resource: resourceKey.signingKey }];
  }
}

/**
 * The permissions one call needs. An operation this file does not know maps to
 * `<prefix>:<operation>` on what it touched, so a new kind of call is never silently covered.
 */
export function permissionsOf(call: ResolvedCall): Permission[] {
  const prefix = PREFIX[call.service] ?? call.service.toLowerCase();
  if (call.resources.length === 0)
    return [{ action: `${prefix}:${call.operation}`, resource: resourceKey.any }];
  return call.resources.flatMap((r) => resourcePermissions(prefix, call.operation, r));
}

// ---- what the manifest grants (bind.ts builds its statements from these) ----

/** IAM actions on the table itself. */
export function tableActions(access: TableAccess): string[] {
  return access.actions.map((a) => `dynamodb:${a}`);
}

/** An index answers queries only (the table's writes keep it current). */
export const INDEX_ACTIONS: readonly string[] = ["dynamodb:Query"];

export const QUEUE_ACTIONS = { send: ["sqs:SendMessage"] } as const;

export const STREAM_ACTIONS = { putRecords: ["kinesis:PutRecords"] } as const;

/** Object actions, and the bucket-level ones that go with them. */
export function bucketActions(actions: readonly BucketAction[]): { objects: string[]; bucket: string[] } {
  return {
    objects: actions.map((a) => `s3:${a}`),
    // A read of a missing key must answer 404 (NoSuchKey), which S3 gives only with ListBucket.
    bucket: actions.includes("GetObject") ? ["s3:ListBucket"] : [],
  };
}

/** Scheduler actions: on the group's schedules, on any resource, and whether the role is passed. */
export function schedulerActions(actions: readonly SchedulerAction[]): {
  schedules: string[];
  anyResource: string[];
  passRole: boolean;
} {
  return {
    schedules: actions.filter((a) => a !== "ListSchedules").map((a) => `scheduler:${a}`),
    anyResource: actions.filter((a) => a === "ListSchedules").map((a) => `scheduler:${a}`),
    passRole: actions.some((a) => a === "CreateSchedule" || a === "UpdateSchedule"),
  };
}

export const SIGNING_KEY_ACTIONS: readonly string[] = ["secretsmanager:GetSecretValue"];

/** The entries of a partial manifest record (a grants map), typed by its keys. */
export function entries<K extends string, V>(record: Partial<Record<K, V>> | undefined): [K, V][] {
  return Object.entries(record ?? {}) as [K, V][];
}

/** Every permission a manifest entry's grants give, by manifest key: what bind.ts grants. */
export function grantedPermissions(grants: GrantsSpec): Permission[] {
  const out: Permission[] = [];
  const add = (actions: readonly string[], resource: string) => {
    for (const action of actions) out.push({ action, resource });
  };
  for (const [table, access] of entries<TableName, TableAccess>(grants.tables)) {
    add(tableActions(access), resourceKey.table(table));
    for (const index of access.queryIndexes ?? []) add(INDEX_ACTIONS, resourceKey.index(table, index));
  }
  for (const [queue, access] of entries<QueueName, "send">(grants.queues)) {
    add(QUEUE_ACTIONS[access], resourceKey.queue(queue));
  }
  for (const [stream, access] of entries<StreamName, "putRecords">(grants.streams)) {
    add(STREAM_ACTIONS[access], resourceKey.stream(stream));
  }
  for (const [bucket, actions] of entries<BucketName, readonly BucketAction[]>(grants.buckets)) {
    const { objects, bucket: onBucket } = bucketActions(actions);
    add(objects, resourceKey.objects(bucket));
    add(onBucket, resourceKey.bucket(bucket));
  }
  if (grants.scheduler) {
    const s = schedulerActions(grants.scheduler);
    add(s.schedules, resourceKey.schedules);
    add(s.anyResource, resourceKey.any);
    if (s.passRole) add(["iam:PassRole"], resourceKey.schedulerRole);
  }
  if (grants.signingKey) add(SIGNING_KEY_ACTIONS, resourceKey.signingKey);
  return out;
}

/** "action on resource", the form the tests report and compare. */
export function describePermission(p: Permission): string {
  return `${p.action} on ${p.resource}`;
}
