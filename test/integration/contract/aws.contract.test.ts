/**
 * The port contracts against the AWS adapters on the emulators. One set of resources serves the
 * whole file (the suites use random ids and read back only their own); the probes read the
 * emulator directly: ReceiveMessage on the queues, the schedules of the group, every shard.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { DynamoBufferStore } from "../../../shared/adapters/aws/DynamoBufferStore.js";
import { DynamoCancellationStore } from "../../../shared/adapters/aws/DynamoCancellationStore.js";
import { DynamoConcurrencyStore } from "../../../shared/adapters/aws/DynamoConcurrencyStore.js";
import { DynamoEventStore } from "../../../shared/adapters/aws/DynamoEventStore.js";
import { DynamoGateStore } from "../../../shared/adapters/aws/DynamoGateStore.js";
import { DynamoPauseStore } from "../../../shared/adapters/aws/DynamoPauseStore.js";
import { DynamoRegistryStore } from "../../../shared/adapters/aws/DynamoRegistryStore.js";
import { DynamoRunStore } from "../../../shared/adapters/aws/DynamoRunStore.js";
import { DynamoRunUsageStore } from "../../../shared/adapters/aws/DynamoRunUsageStore.js";
import { KinesisEventStream } from "../../../shared/adapters/aws/KinesisEventStream.js";
import { LargeJson } from "../../../shared/adapters/aws/largeJson.js";
import { S3BlobStore } from "../../../shared/adapters/aws/S3BlobStore.js";
import { SqsWorkQueue } from "../../../shared/adapters/aws/SqsWorkQueue.js";
import { TimerServiceAws } from "../../../shared/adapters/aws/TimerServiceAws.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import { parseMessage } from "../../../shared/domain/messages.js";
import {
  type AcceptedEvent,
  acceptedEventSchema,
  jobSchema,
  type TimerMessage,
  timerMessageSchema,
} from "../../../shared/domain/schemas.js";
import { arnEnv, BUCKETS, QUEUES, SCHEDULER, STREAMS, TABLES } from "../../../shared/resources.js";
import { describeBufferStore } from "../../contract/bufferStore.js";
import { describeCancellationStore } from "../../contract/cancellationStore.js";
import { describeConcurrencyStore } from "../../contract/concurrencyStore.js";
import { describeGateStore } from "../../contract/gateStore.js";
import {
  describeBlobStore,
  describeEventStore,
  describeEventStream,
  describeRegistryStore,
  describeRunHistory,
  describeRunStore,
  describeRunUsageStore,
  describeTimerService,
  describeWorkQueue,
  type EventStreamProbe,
  type QueuedJob,
  type TimerProbe,
  type WorkQueueProbe,
} from "../../contract/index.js";
import { describePauseStore } from "../../contract/pauseStore.js";
import { makeAccepted } from "../../fixtures/records.js";
import { testResources } from "../../helpers/index.js";

const RETENTION_SECONDS = 3600;
/** Small, so that the suites' medium payloads take the bucket path as well as the large ones. */
const INLINE_LIMIT_BYTES = 1024;

const clients = createAwsClients();
let created: Promise<Record<string, string>> | undefined;
/** The file's resources, created on first use. */
async function resources(): Promise<Record<string, string>> {
  created ??= testResources("contract");
  return created;
}

function named(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`testResources returned no ${name}`);
  return value;
}

async function blobs() {
  return new S3BlobStore(clients.s3, named(await resources(), BUCKETS.payloads.env));
}

function parsed<T>(schema: z.ZodType<T>, body: string | undefined): T {
  const result = parseMessage(schema, body ?? "");
  if (!result.ok) throw new Error(`unreadable message: ${result.error}`);
  return result.value;
}

/** Receives what is visible now and deletes it. */
async function receiveAndDelete(queueUrl: string) {
  const res = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  const messages = res.Messages ?? [];
  if (messages.length > 0) {
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages;
}

function workQueueProbe(queueUrl: string): WorkQueueProbe {
  return {
    take: async () =>
      (await receiveAndDelete(queueUrl)).map(
        (m): QueuedJob => ({
          job: parsed(jobSchema, m.Body),
          group: m.Attributes?.MessageGroupId ?? "",
          dedupId: m.Attributes?.MessageDeduplicationId ?? "",
        }),
      ),
  };
}

/** Timer messages seen so far: taken off the timers queue, or read from a schedule (by name). */
const timerMessagesTaken: TimerMessage[] = [];
const timerSchedules = new Map<string, TimerMessage>();

function timerProbe(queueUrl: string, group: string): TimerProbe {
  return {
    async scheduled() {
      for (;;) {
        const batch = await receiveAndDelete(queueUrl);
        if (batch.length === 0) break;
        timerMessagesTaken.push(...batch.map((m) => parsed(timerMessageSchema, m.Body)));
      }
      let token: string | undefined;
      do {
        const page = await clients.scheduler.send(
          new ListSchedulesCommand({ GroupName: group, NextToken: token }),
        );
        for (const s of page.Schedules ?? []) {
          if (!s.Name || timerSchedules.has(s.Name)) continue;
          const full = await clients.scheduler.send(
            new GetScheduleCommand({ Name: s.Name, GroupName: group }),
          );
          timerSchedules.set(s.Name, parsed(timerMessageSchema, full.Target?.Input));
        }
        token = page.NextToken;
      } while (token);
      return [...timerMessagesTaken, ...timerSchedules.values()];
    },
  };
}

/** Records read so far and where each shard's reading goes on. */
const streamRecords: AcceptedEvent[] = [];
const shardIterators = new Map<string, string | undefined>();

function streamProbe(streamName: string): EventStreamProbe {
  return {
    async read() {
      const shards = await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      for (const shard of shards.Shards ?? []) {
        const shardId = shard.ShardId ?? "";
        if (!shardIterators.has(shardId)) {
          const it = await clients.kinesis.send(
            new GetShardIteratorCommand({
              StreamName: streamName,
              ShardId: shardId,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          );
          shardIterators.set(shardId, it.ShardIterator);
        }
        let iterator = shardIterators.get(shardId);
        while (iterator) {
          const res = await clients.kinesis.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
          );
          const records = res.Records ?? [];
          for (const r of records) {
            streamRecords.push(
              parsed(acceptedEventSchema, Buffer.from(r.Data ?? new Uint8Array()).toString("utf8")),
            );
          }
          iterator = res.NextShardIterator;
          shardIterators.set(shardId, iterator);
          if (records.length === 0) break;
        }
      }
      return [...streamRecords];
    },
  };
}

describeBlobStore("AWS (S3)", async () => ({ store: await blobs() }));

describeRegistryStore("AWS (DynamoDB)", async () => ({
  store: new DynamoRegistryStore(clients.doc, named(await resources(), TABLES.registry.env)),
}));

describeEventStore("AWS (DynamoDB + S3)", async () => {
  const clock = new ManualClock();
  const store = new DynamoEventStore(
    clients.doc,
    named(await resources(), TABLES.events.env),
    new LargeJson(await blobs(), INLINE_LIMIT_BYTES),
    RETENTION_SECONDS,
    () => clock.now(),
  );
  return { store, clock, retentionSeconds: RETENTION_SECONDS };
});

async function dynamoRunStore() {
  const env = await resources();
  const tables = {
    runs: named(env, TABLES.runs.env),
    flow: named(env, TABLES.flow.env),
    pauses: named(env, TABLES.pauses.env),
  };
  const json = new LargeJson(await blobs(), INLINE_LIMIT_BYTES);
  return { store: new DynamoRunStore(clients.doc, tables, json, RETENTION_SECONDS) };
}

describeRunStore("AWS (DynamoDB + S3)", dynamoRunStore);
describeRunHistory("AWS (DynamoDB + S3)", dynamoRunStore);

describePauseStore("AWS (DynamoDB + S3)", async () => {
  const env = await resources();
  const pausesTable = named(env, TABLES.pauses.env);
  const json = new LargeJson(await blobs(), INLINE_LIMIT_BYTES);
  const { store: runs } = await dynamoRunStore();
  return { runs, pauses: new DynamoPauseStore(clients.doc, pausesTable, json) };
});

describeWorkQueue("AWS (SQS FIFO)", async () => {
  const url = named(await resources(), QUEUES.work.env);
  return { queue: new SqsWorkQueue(clients.sqs, url), probe: workQueueProbe(url) };
});

describeTimerService("AWS (SQS + EventBridge Scheduler)", async () => {
  const env = await resources();
  const clock = new ManualClock(Date.now());
  const names = {
    timersQueueUrl: named(env, QUEUES.timers.env),
    timersQueueArn: named(env, arnEnv(QUEUES.timers)),
    scheduleGroup: named(env, SCHEDULER.groupEnv),
    schedulerRoleArn: named(env, SCHEDULER.roleArnEnv),
  };
  return {
    timers: new TimerServiceAws(clients, names, clock),
    clock,
    probe: timerProbe(names.timersQueueUrl, names.scheduleGroup),
  };
});

describeEventStream("AWS (Kinesis)", async () => {
  const streamName = named(await resources(), STREAMS.events.env);
  return { stream: new KinesisEventStream(clients.kinesis, streamName), probe: streamProbe(streamName) };
});

describeCancellationStore("AWS (DynamoDB)", async () => ({
  store: new DynamoCancellationStore(clients.doc, named(await resources(), TABLES.flow.env)),
}));

describeRunUsageStore("AWS (DynamoDB)", async () => ({
  store: new DynamoRunUsageStore(clients.doc, named(await resources(), TABLES.runs.env), 86_400),
}));

describeGateStore("AWS (DynamoDB)", async () => ({
  store: new DynamoGateStore(clients.doc, named(await resources(), TABLES.flow.env)),
}));

describeBufferStore("AWS (DynamoDB + S3)", async () => ({
  store: new DynamoBufferStore(
    clients.doc,
    named(await resources(), TABLES.flow.env),
    new LargeJson(await blobs(), INLINE_LIMIT_BYTES),
  ),
}));

/** Where the AWS stores put what they offload: a layout, not part of any port's contract. */
describe("AWS payload layout", () => {
  it("offloads a large event to the payload bucket as events/<internalId>.json", async () => {
    const store = new DynamoEventStore(
      clients.doc,
      named(await resources(), TABLES.events.env),
      new LargeJson(await blobs(), INLINE_LIMIT_BYTES),
      RETENTION_SECONDS,
    );
    const accepted = makeAccepted({ data: { blob: "z".repeat(4000) } }, Date.now());
    await store.putEvent({ ...accepted, runIds: ["r1"] });
    expect(await (await blobs()).get(`events/${accepted.internalId}.json`)).toBe(
      JSON.stringify(accepted.event),
    );
  });
});

describeConcurrencyStore("AWS (DynamoDB)", async () => ({
  store: new DynamoConcurrencyStore(clients.doc, named(await resources(), TABLES.flow.env)),
}));
