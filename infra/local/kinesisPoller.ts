import { createHash } from "node:crypto";
/**
 * Emulated Kinesis event-source mapping: one loop per shard reads from TRIM_HORIZON, invokes the
 * handler in-process with batches shaped like Lambda's KinesisStreamEvent, and checkpoints like
 * Lambda: after a success it moves on; on a partial failure it retries from the first failed
 * sequence number; when the handler throws it retries the whole batch.
 * Like a mapping with MaximumRetryAttempts -1 (Lambda's default), a failing record is retried
 * until it succeeds, with a capped exponential backoff: a poison record blocks its shard.
 * An empty read pauses `idleMs`, cut short when this process puts records to the stream
 * (sendNotifier); the pause stays the fallback for producers outside the process.
 */
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { onSent } from "../../shared/adapters/aws/sendNotifier.js";
import { sleep, wakeablePause } from "./abortableSleep.js";
import { reportedFailures } from "./batchResponse.js";
import { lambdaContext } from "./lambdaContext.js";
import { consoleLogger, type Logger } from "./log.js";
import type { Poller } from "./sqsPoller.js";

export interface KinesisPollerOptions {
  kinesis: KinesisClient;
  streamName: string;
  streamArn: string;
  /** The result is read as Lambda reads a partial batch response. */
  handler: (event: KinesisStreamEvent, context: Context) => Promise<unknown>;
  functionName: string;
  timeoutMs: number;
  batchSize?: number;
  /**
   * Concurrent invocations per shard (the mapping's ParallelizationFactor, default 1): records are
   * split by partition key, so one key's records stay in order within one invocation at a time.
   */
  parallelizationFactor?: number;
  /** When the runtime stops, if it is stopping (see lambdaContext). */
  stoppingAt?: () => number | undefined;
  /**
   * Awaited before records are handed to the handler, unless the poller is stopping or draining:
   * the local runtime's pacing (pacing.ts).
   */
  pace?: (signal: AbortSignal) => Promise<void>;
  /** Pause after an empty read (default 100 ms); a put to the stream from this process ends it. */
  idleMs?: number;
  /** Pause before a retry; doubles per consecutive failure up to maxBackoffMs. */
  retryBackoffMs?: number;
  maxBackoffMs?: number;
  region?: string;
  log?: Logger;
}

export function toKinesisRecord(
  r: _Record,
  shardId: string,
  streamArn: string,
  region: string,
): KinesisStreamRecord {
  const seq = r.SequenceNumber ?? "";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: r.PartitionKey ?? "",
      sequenceNumber: seq,
      data: Buffer.from(r.Data ?? new Uint8Array()).toString("base64"),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: `arn:aws:iam::000000000000:role/tideline-local`,
    awsRegion: region,
    eventSourceARN: streamArn,
  };
}

/**
 * Where to resume after an invocation: undefined = the batch is done; otherwise the sequence
 * number to retry from. An identifier that is not in the batch, or a response Lambda cannot read,
 * fails the whole batch, as in Lambda.
 */
export function retryFrom(records: KinesisStreamRecord[], result: unknown): string | undefined {
  const failures = reportedFailures(result);
  if (!failures) return records[0]?.kinesis.sequenceNumber;
  if (failures.length === 0) return undefined;
  const inBatch = new Set(records.map((r) => r.kinesis.sequenceNumber));
  if (failures.some((id) => !inBatch.has(id))) return records[0]?.kinesis.sequenceNumber;
  return earliestRetry(failures);
}

/** What one shard's reader needs: the options, and whether the poller is stopping or draining. */
interface ShardReader {
  opts: KinesisPollerOptions;
  region: string;
  log: Logger;
  signal: AbortSignal;
  /** Set by stop(): each shard reads on until it is empty, so accepted events are not left behind. */
  draining: () => boolean;
  /** The idle pauses' wakes of the shards being read (a put may land on any shard). */
  wakes: Set<() => void>;
}

async function shardIterator(
  r: ShardReader,
  shardId: string,
  type: ShardIteratorType,
  seq?: string,
): Promise<string | undefined> {
  const res = await r.opts.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: r.opts.streamName,
      ShardId: shardId,
      ShardIteratorType: type,
      ...(seq ? { StartingSequenceNumber: seq } : {}),
    }),
  );
  return res.ShardIterator;
}

async function listShards(opts: KinesisPollerOptions): Promise<string[]> {
  const shards: string[] = [];
  let token: string | undefined;
  do {
    const res = await opts.kinesis.send(
      token
        ? new ListShardsCommand({ NextToken: token })
        : new ListShardsCommand({ StreamName: opts.streamName }),
    );
    for (const s of res.Shards ?? []) if (s.ShardId) shards.push(s.ShardId);
    token = res.NextToken;
  } while (token);
  return shards;
}

/**
 * The records of one read split as Lambda splits a shard's batch under a parallelization factor:
 * by a hash of the partition key, each lane keeping its records in order. Empty lanes are dropped.
 */
export function partitionLanes(records: KinesisStreamRecord[], factor: number): KinesisStreamRecord[][] {
  if (factor <= 1) return [records];
  const lanes: KinesisStreamRecord[][] = Array.from({ length: factor }, () => []);
  for (const rec of records) {
    const lane = createHash("md5").update(rec.kinesis.partitionKey).digest().readUInt32BE(0) % factor;
    lanes[lane]?.push(rec);
  }
  return lanes.filter((lane) => lane.length > 0);
}

/**
 * The invocations of one read, side by side (one per lane); the sequence number to read again
 * from, or undefined when every lane is done. A failure in one lane makes the shard read again
 * from it, so records of other lanes after that point come again: at least once, as handlers
 * must be anyway (on AWS only the failed lane would retry).
 */
async function invokeLanes(
  r: ShardReader,
  shardId: string,
  records: KinesisStreamRecord[],
): Promise<string | undefined> {
  const lanes = partitionLanes(records, r.opts.parallelizationFactor ?? 1);
  return earliestRetry(await Promise.all(lanes.map((lane) => invoke(r, shardId, lane))));
}

/** Where the shard is read again after its lanes ran: the earliest sequence any lane failed at. */
export function earliestRetry(retryFroms: readonly (string | undefined)[]): string | undefined {
  let lowest: bigint | undefined;
  for (const from of retryFroms) {
    if (from === undefined) continue;
    const n = BigInt(from);
    if (lowest === undefined || n < lowest) lowest = n;
  }
  return lowest?.toString();
}

/** One invocation; the sequence number to retry from, or undefined when the batch is done. */
async function invoke(
  r: ShardReader,
  shardId: string,
  records: KinesisStreamRecord[],
): Promise<string | undefined> {
  const event: KinesisStreamEvent = { Records: records };
  try {
    const result = await r.opts.handler(
      event,
      lambdaContext(r.opts.functionName, r.opts.timeoutMs, r.region, r.opts.stoppingAt),
    );
    return retryFrom(records, result);
  } catch (err) {
    r.log.warn(`${r.opts.functionName} threw on ${shardId}; retrying the batch`, err);
    return records[0]?.kinesis.sequenceNumber;
  }
}

/** Reads one shard in order until the poller stops (or, draining, until the shard is empty). */
async function readShard(r: ShardReader, shardId: string): Promise<void> {
  const idle = wakeablePause(r.opts.idleMs ?? 100, r.signal);
  r.wakes.add(idle.wake);
  try {
    await readShardWith(r, shardId, idle);
  } finally {
    r.wakes.delete(idle.wake);
  }
}

/** The reading loop of readShard; `idle` is the pause after an empty read. */
async function readShardWith(
  r: ShardReader,
  shardId: string,
  idle: { pause(): Promise<void> },
): Promise<void> {
  const { opts } = r;
  const base = opts.retryBackoffMs ?? 200;
  const max = opts.maxBackoffMs ?? 5000;
  // Last fully processed sequence number: where to resume if the iterator is lost.
  let checkpoint: string | undefined;
  let failures = 0;
  const resume = () =>
    checkpoint
      ? shardIterator(r, shardId, "AFTER_SEQUENCE_NUMBER", checkpoint)
      : shardIterator(r, shardId, "TRIM_HORIZON");
  let it: string | undefined;
  while (!r.signal.aborted) {
    try {
      it ??= await resume();
      if (!it) return; // closed shard, fully read
      const res = await opts.kinesis.send(
        new GetRecordsCommand({ ShardIterator: it, Limit: opts.batchSize ?? 100 }),
      );
      const records = (res.Records ?? []).map((rec) =>
        toKinesisRecord(rec, shardId, opts.streamArn, r.region),
      );
      if (records.length === 0) {
        it = res.NextShardIterator;
        if (!it || r.draining()) return;
        await idle.pause();
        continue;
      }
      if (!r.draining()) await opts.pace?.(r.signal);
      const from = await invokeLanes(r, shardId, records);
      if (from === undefined) {
        checkpoint = records.at(-1)?.kinesis.sequenceNumber;
        it = res.NextShardIterator;
        failures = 0;
        if (!it) return;
        continue;
      }
      // Everything before the failed record is done; read again from it after a backoff.
      const before = records.filter((rec) => BigInt(rec.kinesis.sequenceNumber) < BigInt(from));
      checkpoint = before.at(-1)?.kinesis.sequenceNumber ?? checkpoint;
      failures++;
      await sleep(Math.min(max, base * 2 ** (failures - 1)), r.signal);
      it = await shardIterator(r, shardId, "AT_SEQUENCE_NUMBER", from);
    } catch (err) {
      if (r.signal.aborted) return;
      // Expired iterator, throttling, emulator hiccup: resume from the checkpoint.
      r.log.warn(`${opts.functionName} poller on ${shardId}`, err);
      it = undefined;
      await sleep(1000, r.signal);
    }
  }
}

export function startKinesisPoller(opts: KinesisPollerOptions): Poller {
  const log = opts.log ?? consoleLogger();
  const abort = new AbortController();
  let draining = false;
  const reader: ShardReader = {
    opts,
    region: opts.region ?? process.env.AWS_REGION ?? "us-east-1",
    log,
    signal: abort.signal,
    draining: () => draining,
    wakes: new Set(),
  };
  const unsubscribe = onSent((sent) => {
    if (sent.service === "Kinesis" && sent.streamName === opts.streamName)
      for (const wake of reader.wakes) wake();
  });

  const started = (async () => {
    while (!abort.signal.aborted) {
      try {
        // The local stream never reshards, so the shard list is read once.
        await Promise.all((await listShards(opts)).map((shardId) => readShard(reader, shardId)));
        return;
      } catch (err) {
        log.warn(`${opts.functionName}: cannot list the shards of ${opts.streamName}`, err);
        await sleep(1000, abort.signal);
      }
    }
  })();

  return {
    /** With `graceMs`, reads each shard to its end first (at most that long); then stops. */
    async stop(stopOpts = {}) {
      unsubscribe();
      if (stopOpts.graceMs !== undefined) {
        draining = true;
        const drained = await Promise.race([
          started.then(() => true),
          sleep(stopOpts.graceMs).then(() => false),
        ]);
        if (drained) return;
        log.warn(`${opts.functionName}: stopped before the stream was fully read`);
        abort.abort();
        await Promise.race([started, sleep(stopOpts.graceMs)]);
        return;
      }
      abort.abort();
      await started;
    },
  };
}
