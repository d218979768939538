import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { beforeAll, describe, expect, it } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { chunkRecords, KinesisEventStream } from "../../../shared/adapters/aws/KinesisEventStream.js";
import type { AcceptedEvent } from "../../../shared/domain/schemas.js";
import { STREAMS } from "../../../shared/resources.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

const clients = createAwsClients();
let streamName: string;

beforeAll(async () => {
  const env = await testResources("stream", { shardCount: 2 });
  streamName = env[STREAMS.events.env] ?? "";
});

/** Every record of every shard, from the start, grouped by shard in sequence order. */
async function readAll(): Promise<Map<string, AcceptedEvent[]>> {
  const shards = await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out = new Map<string, AcceptedEvent[]>();
  for (const shard of shards.Shards ?? []) {
    const it = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const events: AcceptedEvent[] = [];
    let iterator = it.ShardIterator;
    for (;;) {
      const res = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = res.Records ?? [];
      for (const r of records) {
        const event = JSON.parse(Buffer.from(r.Data ?? new Uint8Array()).toString("utf8")) as AcceptedEvent;
        expect(r.PartitionKey).toBe(event.internalId);
        events.push(event);
      }
      if (records.length === 0) break;
      iterator = res.NextShardIterator;
    }
    out.set(shard.ShardId ?? "", events);
  }
  return out;
}

describe("KinesisEventStream", () => {
  it("puts 600 events in two requests, all readable, in put order within each shard", async () => {
    const tag = randomSuffix();
    const events: AcceptedEvent[] = Array.from({ length: 600 }, (_, i) => ({
      internalId: `01J${tag}${String(i).padStart(5, "0")}`,
      receivedAt: 1_700_000_000_000 + i,
      event: { name: "demo/e", data: { i }, id: `e-${i}`, ts: 1_700_000_000_000 + i, user: {} },
    }));
    awsCalls.reset();

    await new KinesisEventStream(clients.kinesis, streamName).put(events);

    expect(awsCalls.snapshot()["Kinesis.PutRecords"]).toBe(2);
    const byShard = await readAll();
    const all = [...byShard.values()].flat();
    expect(all).toHaveLength(600);
    expect(new Set(all.map((e) => e.internalId)).size).toBe(600);
    expect(all.find((e) => e.internalId === events[42]?.internalId)).toEqual(events[42]);
    for (const shardEvents of byShard.values()) {
      const order = shardEvents.map((e) => e.receivedAt);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("splits requests at 5 MiB as well as at 500 records", () => {
    const big = (i: number) => ({ PartitionKey: `k${i}`, Data: new Uint8Array(900 * 1024) });
    const chunks = chunkRecords(Array.from({ length: 12 }, (_, i) => big(i)));
    expect(chunks.map((c) => c.length)).toEqual([5, 5, 2]);
    expect(
      chunkRecords(
        Array.from({ length: 1001 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new Uint8Array(1) })),
      ).map((c) => c.length),
    ).toEqual([500, 500, 1]);
  });

  it("keeps every record of concurrent puts from one process (moto would lose some; puts go one at a time)", async () => {
    const tag = randomSuffix();
    const stream = new KinesisEventStream(clients.kinesis, streamName);
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 400 }, (_, i) => ({
        internalId: `c-${tag}-${b}-${i}`,
        event: { name: "t/c", data: {}, id: `c-${tag}-${b}-${i}`, ts: 1, user: {} },
        receivedAt: 1,
      })),
    );
    await Promise.all(batches.map((events) => stream.put(events)));
    const seen = [...(await readAll()).values()].flat().filter((e) => e.internalId.startsWith(`c-${tag}-`));
    expect(new Set(seen.map((e) => e.internalId)).size).toBe(2400);
  });
});
