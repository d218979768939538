import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { startKinesisPoller } from "../../../infra/local/kinesisPoller.js";
import { silentLogger } from "../../../infra/local/log.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { randomSuffix, waitFor } from "../../helpers/index.js";

const { kinesis } = createAwsClients();
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function stream(): Promise<{ name: string; arn: string }> {
  const name = `t-kpoll-${randomSuffix()}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  cleanup.push(() => kinesis.send(new DeleteStreamCommand({ StreamName: name })));
  const arn = await waitFor(async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return s.StreamDescriptionSummary?.StreamStatus === "ACTIVE"
      ? s.StreamDescriptionSummary.StreamARN
      : undefined;
  });
  return { name, arn };
}

/** One record at a time, so the sequence order is the put order. */
async function put(name: string, values: string[]): Promise<void> {
  for (const v of values) {
    await kinesis.send(
      new PutRecordCommand({ StreamName: name, PartitionKey: `pk-${v}`, Data: Buffer.from(v) }),
    );
  }
}

const dataOf = (r: KinesisStreamRecord) => Buffer.from(r.kinesis.data, "base64").toString("utf8");

function poll(
  s: { name: string; arn: string },
  handler: (e: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | undefined>,
  opts: { idleMs?: number; kinesis?: typeof kinesis } = {},
): void {
  const poller = startKinesisPoller({
    kinesis: opts.kinesis ?? kinesis,
    ...(opts.idleMs ? { idleMs: opts.idleMs } : {}),
    streamName: s.name,
    streamArn: s.arn,
    handler,
    functionName: "runner",
    timeoutMs: 5000,
    retryBackoffMs: 50,
    log: silentLogger,
  });
  cleanup.push(() => poller.stop());
}

describe("Kinesis event-source emulation", () => {
  it("delivers records shaped like Lambda's Kinesis event", async () => {
    const s = await stream();
    const batches: KinesisStreamRecord[][] = [];
    poll(s, async (e) => {
      batches.push(e.Records);
      return { batchItemFailures: [] };
    });

    await put(s.name, ["hello"]);

    const [r] = await waitFor(() => batches[0]);
    expect(dataOf(r as KinesisStreamRecord)).toBe("hello");
    expect(r).toMatchObject({
      eventSource: "aws:kinesis",
      eventName: "aws:kinesis:record",
      eventSourceARN: s.arn,
      awsRegion: process.env.AWS_REGION,
      kinesis: { partitionKey: "pk-hello", kinesisSchemaVersion: "1.0" },
    });
    expect(r?.eventID).toBe(`shardId-000000000000:${r?.kinesis.sequenceNumber}`);
    expect(Math.abs((r?.kinesis.approximateArrivalTimestamp ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it("retries from the first failed sequence number when the runner reports a partial failure", async () => {
    const s = await stream();
    // Put before polling starts, so the first batch (from TRIM_HORIZON) holds all five.
    await put(s.name, ["a", "b", "c", "d", "e"]);
    const batches: string[][] = [];
    poll(s, async (e) => {
      batches.push(e.Records.map(dataOf));
      // First delivery: "e" and "c" fail; the retry must start at "c", the lower of the two.
      if (batches.length === 1) {
        const failed = e.Records.filter((r) => ["e", "c"].includes(dataOf(r)));
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      }
      return { batchItemFailures: [] };
    });

    await waitFor(() => batches.length >= 2);
    await put(s.name, ["f"]);
    await waitFor(() => batches.flat().includes("f"));

    expect(batches.flat()).toEqual(["a", "b", "c", "d", "e", "c", "d", "e", "f"]);
  });

  it("retries the whole batch when the runner throws", async () => {
    const s = await stream();
    await put(s.name, ["x", "y"]);
    const batches: string[][] = [];
    poll(s, async (e) => {
      batches.push(e.Records.map(dataOf));
      if (batches.length === 1) throw new Error("runner crashed");
      return undefined;
    });

    await waitFor(() => batches.length >= 2);
    await put(s.name, ["z"]);
    await waitFor(() => batches.flat().includes("z"));

    expect(batches.flat()).toEqual(["x", "y", "x", "y", "z"]);
  });

  it("reads each shard to its end when stopped with a grace period", async () => {
    const s = await stream();
    const values = ["a", "b", "c", "d", "e", "f"];
    await put(s.name, values);
    const seen: string[] = [];
    const poller = startKinesisPoller({
      kinesis,
      streamName: s.name,
      streamArn: s.arn,
      batchSize: 2,
      functionName: "runner",
      timeoutMs: 5000,
      log: silentLogger,
      handler: async (e) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen.push(...e.Records.map(dataOf));
        return { batchItemFailures: [] };
      },
    });

    await poller.stop({ graceMs: 10_000 });

    expect(seen).toEqual(values);
  });

  it("holds read records until the pace lets them go, and does not pace a drain", async () => {
    const s = await stream();
    await put(s.name, ["a", "b"]);
    const seen: string[] = [];
    let paced = 0;
    let release = () => {};
    const poller = startKinesisPoller({
      kinesis,
      streamName: s.name,
      streamArn: s.arn,
      functionName: "runner",
      timeoutMs: 5000,
      log: silentLogger,
      // A work queue that drains only when released (or when the poller aborts).
      pace: (signal) => {
        paced++;
        return new Promise<void>((resolve) => {
          release = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      },
      handler: async (e) => {
        seen.push(...e.Records.map(dataOf));
        return { batchItemFailures: [] };
      },
    });
    await waitFor(() => paced === 1);
    await put(s.name, ["c"]);
    expect(seen).toEqual([]);

    // Draining from here: "c" is read on without a second wait.
    const stopped = poller.stop({ graceMs: 3000 });
    release();
    await stopped;
    expect(seen).toEqual(["a", "b", "c"]);
    expect(paced).toBe(1);
  });

  it("reads a record this process put at once instead of after its idle pause", async () => {
    const s = await stream();
    // The poller's own client counts the reads that came back empty: after one, it is idle.
    const reader = createAwsClients().kinesis;
    let emptyReads = 0;
    reader.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as { Records?: unknown[] };
        if (context.commandName === "GetRecordsCommand" && !output.Records?.length) emptyReads++;
        return result;
      },
      { step: "initialize", name: "testEmptyReads" },
    );
    const handledAt: number[] = [];
    // A 5 s idle pause: without the wake, the record would wait it out.
    poll(
      s,
      async (e) => {
        for (const _r of e.Records) handledAt.push(Date.now());
        return { batchItemFailures: [] };
      },
      { idleMs: 5000, kinesis: reader },
    );
    await waitFor(() => emptyReads >= 1);

    const sentAt = Date.now();
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: s.name,
        Records: [{ PartitionKey: "pk", Data: Buffer.from("now") }],
      }),
    );

    await waitFor(() => handledAt.length === 1, { timeoutMs: 3000, intervalMs: 10 });
    expect((handledAt[0] ?? Number.POSITIVE_INFINITY) - sentAt).toBeLessThan(500);
  });
});
