/**
 * Bind helpers: one call gives a function a resource's address (the environment variable named in
 * shared/resources.ts) and exactly the access it needs to it, nothing wider. `bindGrants` walks a
 * manifest entry's `grants` and calls them. Event-source mappings grant their own consumer
 * permissions; these helpers cover what handler code calls itself.
 */
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  arnEnv,
  BUCKETS,
  type BucketName,
  type BucketSpec,
  type GrantsSpec,
  QUEUES,
  type QueueName,
  type QueueSpec,
  SCHEDULER,
  STREAMS,
  type StreamName,
  type StreamSpec,
  TABLES,
  type TableAccess,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";
import { acknowledgeWildcardResource } from "../nag.js";
import type { DataStores } from "./DataStores.js";
import type { Scheduling } from "./Scheduling.js";
import type { TidelineFunction } from "./TidelineFunction.js";

/** Environment variable that carries the signing-key secret's ARN (read by lambdas/wiring.ts). */
export const SIGNING_KEY_SECRET_ARN_ENV = "TIDELINE_SIGNING_KEY_SECRET_ARN";

const TABLE_ACTIONS = {
  read: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
  ],
  readWrite: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
  ],
} as const;

/** What a secondary index answers (the table's writes keep it current; it takes none itself). */
const INDEX_ACTIONS = ["dynamodb:Query", "dynamodb:Scan"];

/**
 * Item-level access only (no DescribeTable, no streams), plus Query and Scan on each of the table's
 * manifest indexes, named one by one (`Table.grant` would name `<table>/index/*`, a wildcard, and
 * give the index the write actions too).
 */
export function bindTable(fn: TidelineFunction, spec: TableSpec, table: ITable, access: TableAccess): void {
  fn.addEnvironment(spec.env, table.tableName);
  Grant.addToPrincipal({
    grantee: fn.fn,
    actions: [...TABLE_ACTIONS[access]],
    resourceArns: [table.tableArn],
  });
  const indexArns = (spec.indexes ?? []).map((index) => indexArn(table, index.name));
  if (indexArns.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions: INDEX_ACTIONS, resourceArns: indexArns });
  }
}

/** ARN of one secondary index of `table`. */
function indexArn(table: ITable, indexName: string): string {
  return `${table.tableArn}/index/${indexName}`;
}

/** Producer access: SendMessage (and SendMessageBatch, which IAM authorises as SendMessage). */
export function bindQueue(fn: TidelineFunction, spec: QueueSpec, queue: IQueue, access: "send"): void {
  fn.addEnvironment(spec.env, queue.queueUrl);
  fn.addEnvironment(arnEnv(spec), queue.queueArn);
  if (access === "send") queue.grant(fn.fn, "sqs:SendMessage");
}

/** Producer access: PutRecords only (the event API writes batches). */
export function bindStream(
  fn: TidelineFunction,
  spec: StreamSpec,
  stream: IStream,
  access: "putRecords",
): void {
  fn.addEnvironment(spec.env, stream.streamName);
  if (access === "putRecords") stream.grant(fn.fn, "kinesis:PutRecords");
}

/**
 * Object access for the payload store. ListBucket is there so that a missing key answers 404
 * (`NoSuchKey`, which S3BlobStore treats as "absent") instead of 403.
 */
export function bindBucket(
  fn: TidelineFunction,
  spec: BucketSpec,
  bucket: IBucket,
  access: "read" | "readWrite",
): void {
  fn.addEnvironment(spec.env, bucket.bucketName);
  const objects = bucket.arnForObjects("*");
  Grant.addToPrincipal({
    grantee: fn.fn,
    actions: access === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject"],
    resourceArns: [objects],
  });
  Grant.addToPrincipal({ grantee: fn.fn, actions: ["s3:ListBucket"], resourceArns: [bucket.bucketArn] });
  acknowledgeWildcardResource(
    fn.role,
    objects,
    "Payload object keys are made at run time (one per large event or step output), so object access " +
      "covers the bucket's objects; the actions are only GetObject and PutObject.",
  );
}

/** The schedule group and target role, plus CreateSchedule/DeleteSchedule and PassRole. */
export function bindScheduler(fn: TidelineFunction, scheduling: Scheduling): void {
  fn.addEnvironment(SCHEDULER.groupEnv, scheduling.group.scheduleGroupName);
  fn.addEnvironment(SCHEDULER.roleArnEnv, scheduling.role.roleArn);
  scheduling.grantManageSchedules(fn.fn);
  // The group's name is a literal in the template, so the dependency has to be stated.
  fn.fn.node.addDependency(scheduling.group);
}

/** The signing key: its ARN in the environment, GetSecretValue on that one secret. */
export function bindSigningKey(fn: TidelineFunction, secret: ISecret): void {
  fn.addEnvironment(SIGNING_KEY_SECRET_ARN_ENV, secret.secretArn);
  secret.grantRead(fn.fn);
}

/**
 * Every manifest address, for every function. shared/config.ts parses all of them at cold start,
 * whichever handler runs; an address is not a permission (only the bind helpers grant access).
 */
export function allAddresses(data: DataStores, scheduling: Scheduling): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
    env[TABLES[key].env] = data.tables[key].tableName;
  }
  for (const key of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
    env[QUEUES[key].env] = data.queues[key].queueUrl;
    env[arnEnv(QUEUES[key])] = data.queues[key].queueArn;
  }
  for (const key of Object.keys(STREAMS) as (keyof typeof STREAMS)[]) {
    env[STREAMS[key].env] = data.streams[key].streamName;
  }
  for (const key of Object.keys(BUCKETS) as (keyof typeof BUCKETS)[]) {
    env[BUCKETS[key].env] = data.buckets[key].bucketName;
  }
  env[SCHEDULER.groupEnv] = scheduling.group.scheduleGroupName;
  env[SCHEDULER.roleArnEnv] = scheduling.role.roleArn;
  return env;
}

/** What `bindGrants` binds: the stack's data stores, the Scheduler group and the signing key. */
export interface Bindable {
  readonly data: DataStores;
  readonly scheduling: Scheduling;
  readonly signingKey: ISecret;
}

/** Grants `fn` exactly what its manifest entry lists, each through its bind helper. */
export function bindGrants(fn: TidelineFunction, grants: GrantsSpec, to: Bindable): void {
  const { tables, queues, streams, buckets } = to.data;
  for (const [name, access] of entries<TableName, TableAccess>(grants.tables)) {
    bindTable(fn, TABLES[name], tables[name], access);
  }
  for (const [name, access] of entries<QueueName, "send">(grants.queues)) {
    bindQueue(fn, QUEUES[name], queues[name], access);
  }
  for (const [name, access] of entries<StreamName, "putRecords">(grants.streams)) {
    bindStream(fn, STREAMS[name], streams[name], access);
  }
  for (const [name, access] of entries<BucketName, "read" | "readWrite">(grants.buckets)) {
    bindBucket(fn, BUCKETS[name], buckets[name], access);
  }
  if (grants.scheduler) bindScheduler(fn, to.scheduling);
  if (grants.signingKey) bindSigningKey(fn, to.signingKey);
}

/** The entries of a partial manifest record, typed by its keys. */
function entries<K extends string, V>(record: Partial<Record<K, V>> | undefined): [K, V][] {
  return Object.entries(record ?? {}) as [K, V][];
}
