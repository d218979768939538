/**
 * Creates every table, queue, stream, bucket and the schedule group of shared/resources.ts in the
 * emulator (or LocalStack), idempotently, and returns the environment the handlers read. This is
 * the local twin of the CDK stack: both build from the same manifest.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { type BucketLocationConstraint, CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, awsClients } from "../../shared/adapters/aws/clients.js";
import {
  arnEnv,
  BUCKETS,
  localName,
  QUEUES,
  type QueueSpec,
  SCHEDULER,
  SCHEDULES,
  type ScheduleSpec,
  STREAMS,
  TABLES,
  type TableSpec,
} from "../../shared/resources.js";

export interface CreateResourcesOptions {
  clients?: AwsClients;
  /** Shards of the events stream (AWS on-demand starts with 4; locally 2 keeps moto light). */
  shardCount?: number;
  /** Set the returned variables on process.env too (default true). */
  assignEnv?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const errorName = (err: unknown) => (err instanceof Error ? err.name : "");

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function createTable(ddb: DynamoDBClient, name: string, spec: TableSpec): Promise<void> {
  const indexes = spec.indexes ?? [];
  const attributes = new Map<string, "S" | "N">([
    [spec.partitionKey, "S"],
    [spec.sortKey, "S"],
  ]);
  for (const index of indexes) {
    attributes.set(index.partitionKey, "S");
    attributes.set(index.sortKey.name, index.sortKey.type);
  }
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: "HASH" },
          { AttributeName: spec.sortKey, KeyType: "RANGE" },
        ],
        ...(indexes.length > 0
          ? {
              GlobalSecondaryIndexes: indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: "HASH" as const },
                  { AttributeName: index.sortKey.name, KeyType: "RANGE" as const },
                ],
                Projection: { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...index.projection] },
              })),
            }
          : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await until(`table ${name}`, async () => {
    const t = await ddb.send(new DescribeTableCommand({ TableName: name }));
    return t.Table?.TableStatus === "ACTIVE";
  });
  if (!spec.ttlAttribute) return;
  const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  // Enabling twice is a ValidationException, so look first.
  if (status === "ENABLED" || status === "ENABLING") return;
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
    }),
  );
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  spec: QueueSpec,
  dlqArn: string | undefined,
): Promise<{ url: string; arn: string }> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.retentionSeconds),
  };
  if (spec.fifo) {
    // High-throughput FIFO: deduplication and throughput are per message group.
    attributes.FifoQueue = "true";
    attributes.DeduplicationScope = "messageGroup";
    attributes.FifoThroughputLimit = "perMessageGroupId";
  }
  if (spec.deadLetter && dlqArn) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: spec.deadLetter.maxReceiveCount,
    });
  }
  // CreateQueue with the same attributes returns the existing queue's URL.
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no URL`);
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  const arn = attrs.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no ARN`);
  return { url, arn };
}

async function createStream(kinesis: KinesisClient, name: string, shardCount: number): Promise<string> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  } catch (err) {
    if (errorName(err) !== "ResourceInUseException") throw err;
  }
  let arn = "";
  await until(`stream ${name}`, async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    arn = s.StreamDescriptionSummary?.StreamARN ?? "";
    return s.StreamDescriptionSummary?.StreamStatus === "ACTIVE";
  });
  return arn;
}

async function createBucket(s3: S3Client, name: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (err) {
    if (!["BucketAlreadyOwnedByYou", "BucketAlreadyExists"].includes(errorName(err))) throw err;
  }
}

/** The manifest's recurring schedules, like the stack's: rate() → the timers queue. */
async function createSchedules(
  scheduler: SchedulerClient,
  group: string,
  target: { arn: string; roleArn: string },
): Promise<void> {
  for (const spec of Object.values<ScheduleSpec>(SCHEDULES)) {
    try {
      await scheduler.send(new GetScheduleCommand({ Name: spec.id, GroupName: group }));
      continue;
    } catch (err) {
      if (errorName(err) !== "ResourceNotFoundException") throw err;
    }
    await scheduler.send(
      new CreateScheduleCommand({
        Name: spec.id,
        GroupName: group,
        ScheduleExpression: spec.expression,
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: target.arn,
          RoleArn: target.roleArn,
          Input: JSON.stringify({ item: spec.item, dueAt: 0 }),
        },
      }),
    );
  }
}

async function createScheduleGroup(scheduler: SchedulerClient, name: string): Promise<void> {
  // Look first: moto's CreateScheduleGroup silently replaces an existing group, losing its schedules.
  try {
    await scheduler.send(new GetScheduleGroupCommand({ Name: name }));
    return;
  } catch (err) {
    if (errorName(err) !== "ResourceNotFoundException") throw err;
  }
  try {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  } catch (err) {
    if (errorName(err) !== "ConflictException") throw err;
  }
}

/** Account id of a resource ARN (arn:aws:sqs:region:account:name). */
const accountOf = (arn: string) => arn.split(":")[4] ?? "000000000000";

export async function createResources(
  prefix: string,
  opts: CreateResourcesOptions = {},
): Promise<Record<string, string>> {
  const clients = opts.clients ?? awsClients();
  const region = process.env.AWS_REGION ?? "us-east-1";
  const env: Record<string, string> = {};

  const tables = Object.values(TABLES).map(async (spec: TableSpec) => {
    const name = localName(prefix, spec.id);
    await createTable(clients.dynamodb, name, spec);
    env[spec.env] = name;
  });

  // Dead-letter queues first: the queues that use them need their ARNs.
  const queues = (async () => {
    const arns = new Map<string, string>();
    const specs = Object.entries(QUEUES) as [string, QueueSpec][];
    const ordered = [...specs.filter(([, s]) => !s.deadLetter), ...specs.filter(([, s]) => s.deadLetter)];
    for (const [key, spec] of ordered) {
      const dlqArn = spec.deadLetter ? arns.get(spec.deadLetter.queueId) : undefined;
      const q = await createQueue(clients.sqs, localName(prefix, spec.id, spec.fifo), spec, dlqArn);
      arns.set(key, q.arn);
      env[spec.env] = q.url;
      env[arnEnv(spec)] = q.arn;
    }
  })();

  const streams = Object.values(STREAMS).map(async (spec) => {
    const name = localName(prefix, spec.id);
    env[spec.env] = name;
    env[arnEnv(spec)] = await createStream(clients.kinesis, name, opts.shardCount ?? 2);
  });

  // Bucket names must be lower-case (S3 rejects "Payloads").
  const buckets = Object.values(BUCKETS).map(async (spec) => {
    const name = localName(prefix, spec.id).toLowerCase();
    await createBucket(clients.s3, name, region);
    env[spec.env] = name;
  });

  const group = localName(prefix, "Schedules");
  const schedules = createScheduleGroup(clients.scheduler, group).then(() => {
    env[SCHEDULER.groupEnv] = group;
  });

  await Promise.all([...tables, queues, ...streams, ...buckets, schedules]);
  // Scheduler's role is never assumed locally (the runtime performs targets itself); it only
  // has to look like a role in the emulator's account.
  const timersArn = env[arnEnv(QUEUES.timers)] ?? "";
  const roleArn = `arn:aws:iam::${accountOf(timersArn)}:role/tideline-scheduler`;
  env[SCHEDULER.roleArnEnv] = roleArn;
  await createSchedules(clients.scheduler, group, { arn: timersArn, roleArn });
  if (opts.assignEnv ?? true) Object.assign(process.env, env);
  return env;
}
