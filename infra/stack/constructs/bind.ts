/**
 * Bind helpers: one call gives a function a resource's address (the environment variable named in
 * shared/resources.ts) and exactly the access it needs to it, nothing wider. `bindGrants` walks a
 * manifest entry's `grants` and calls them. Event-source mappings grant their own consumer
 * permissions; these helpers cover what handler code calls itself.
 */
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  arnEnv,
  BUCKETS,
  type BucketAction,
  type BucketName,
  type BucketSpec,
  type GrantsSpec,
  QUEUES,
  type QueueName,
  type QueueSpec,
  SCHEDULER,
  type SchedulerAction,
  STREAMS,
  type StreamName,
  type StreamSpec,
  TABLES,
  type TableAccess,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";
import {
  bucketActions,
  entries,
  INDEX_ACTIONS,
  QUEUE_ACTIONS,
  SIGNING_KEY_ACTIONS,
  STREAM_ACTIONS,
  schedulerActions,
  tableActions,
} from "../iamActions.js";
import { acknowledgeWildcardResource } from "../nag.js";
import type { DataStores } from "./DataStores.js";
import type { Scheduling } from "./Scheduling.js";
import type { TidelineFunction } from "./TidelineFunction.js";

/** Environment variable that carries the signing-key secret's ARN (read by lambdas/wiring.ts). */
export const SIGNING_KEY_SECRET_ARN_ENV = "TIDELINE_SIGNING_KEY_SECRET_ARN";

/**
 * Item-level access only (no DescribeTable, no streams): exactly the manifest's actions on the
 * table, and Query on each index the function queries, named one by one (`Table.grant` would name
 * `<table>/index/*`, a wildcard, and give the index the write actions too).
 */
export function bindTable(fn: TidelineFunction, spec: TableSpec, table: ITable, access: TableAccess): void {
  fn.addEnvironment(spec.env, table.tableName);
  const known = new Set((spec.indexes ?? []).map((index) => index.name));
  const unknown = (access.queryIndexes ?? []).filter((name) => !known.has(name));
  if (unknown.length) throw new Error(`table ${spec.id} has no index ${unknown.join(", ")}`);
  const actions = tableActions(access);
  if (actions.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions, resourceArns: [table.tableArn] });
  }
  const indexArns = (access.queryIndexes ?? []).map((name) => indexArn(table, name));
  if (indexArns.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions: [...INDEX_ACTIONS], resourceArns: indexArns });
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
  queue.grant(fn.fn, ...QUEUE_ACTIONS[access]);
}

/** Producer access: PutRecords only (the event API writes batches). */
export function bindStream(
  fn: TidelineFunction,
  spec: StreamSpec,
  stream: IStream,
  access: "putRecords",
): void {
  fn.addEnvironment(spec.env, stream.streamName);
  stream.grant(fn.fn, ...STREAM_ACTIONS[access]);
}

/**
 * Object access for the payload store: the manifest's object actions, plus ListBucket when it
 * reads, so that a missing key answers 404 (`NoSuchKey`, which S3BlobStore treats as "absent")
 * instead of 403.
 */
export function bindBucket(
  fn: TidelineFunction,
  spec: BucketSpec,
  bucket: IBucket,
  access: readonly BucketAction[],
): void {
  fn.addEnvironment(spec.env, bucket.bucketName);
  const actions = bucketActions(access);
  const objects = bucket.arnForObjects("*");
  if (actions.objects.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions: actions.objects, resourceArns: [objects] });
    acknowledgeWildcardResource(
      fn.role,
      objects,
      "Payload object keys are made at run time (one per large event or step output), so object access " +
        `covers the bucket's objects; the actions are only ${access.join(" and ")}.`,
    );
  }
  if (actions.bucket.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions: actions.bucket, resourceArns: [bucket.bucketArn] });
  }
}

/**
 * The schedule group and target role, and exactly the manifest's Scheduler actions: on the
 * schedules of Tideline's group (IAM authorises them on the schedule's ARN, not the group's),
 * ListSchedules on "*" (it has no resource-level permission), and PassRole of the target role to
 * Scheduler only when the function creates or updates schedules.
 */
export function bindScheduler(
  fn: TidelineFunction,
  scheduling: Scheduling,
  access: readonly SchedulerAction[],
): void {
  fn.addEnvironment(SCHEDULER.groupEnv, scheduling.group.scheduleGroupName);
  fn.addEnvironment(SCHEDULER.roleArnEnv, scheduling.role.roleArn);
  // The group's name is a literal in the template, so the dependency has to be stated.
  fn.fn.node.addDependency(scheduling.group);
  const actions = schedulerActions(access);
  if (actions.schedules.length > 0) {
    const schedules = scheduling.scheduleArns();
    Grant.addToPrincipal({ grantee: fn.fn, actions: actions.schedules, resourceArns: [schedules] });
    acknowledgeWildcardResource(
      fn.role,
      schedules,
      "Schedule names are content hashes made at run time (one per long sleep or cron trigger), so the " +
        `grant covers the schedules of Tideline's own group, and only ${actions.schedules.join(", ")}.`,
    );
  }
  if (actions.anyResource.length > 0) {
    Grant.addToPrincipal({ grantee: fn.fn, actions: actions.anyResource, resourceArns: ["*"] });
    acknowledgeWildcardResource(
      fn.role,
      "*",
      "scheduler:ListSchedules supports no resource-level permission; it only lists names and the group filter is applied in the call.",
    );
  }
  if (actions.passRole) {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["iam:PassRole"],
        resources: [scheduling.role.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
      }),
    );
  }
}

/** The signing key: its ARN in the environment, GetSecretValue on that one secret. */
export function bindSigningKey(fn: TidelineFunction, secret: ISecret): void {
  fn.addEnvironment(SIGNING_KEY_SECRET_ARN_ENV, secret.secretArn);
  // Not `grantRead`, which adds DescribeSecret: the handlers only read the value.
  Grant.addToPrincipal({
    grantee: fn.fn,
    actions: [...SIGNING_KEY_ACTIONS],
    resourceArns: [secret.secretArn],
  });
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
  for (const [name, access] of entries<BucketName, readonly BucketAction[]>(grants.buckets)) {
    bindBucket(fn, BUCKETS[name], buckets[name], access);
  }
  if (grants.scheduler) bindScheduler(fn, to.scheduling, grants.scheduler);
  if (grants.signingKey) bindSigningKey(fn, to.signingKey);
}
