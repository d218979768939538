import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import type { AcceptedEvent } from "../../domain/schemas.js";
import type { EventStream } from "../../ports/index.js";
import { kinesisRecordBytes } from "./callUsage.js";
import { retryUnprocessed } from "./retryUnprocessed.js";

export interface KinesisEventStreamOptions {
  /** Attempts for records that PutRecords reports as failed (throughput exceeded, internal). */
  maxAttempts?: number;
  /** First backoff between attempts; doubles each time. */
  backoffMs?: number;
}

/** PutRecords limits: 500 records and 5 MiB (data plus partition keys) per request. */
const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024;

/** Splits entries into requests that respect both PutRecords limits, keeping their order. */
export function chunkRecords(entries: PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const chunks: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = kinesisRecordBytes(e);
    if (current.length > 0 && (current.length >= MAX_RECORDS || bytes + size > MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Accepted events onto the Kinesis stream, one record each. PartitionKey = internalId: events are
 * independent, so spreading them over shards maximises throughput; per-event order is trivial.
 */
export class KinesisEventStream implements EventStream {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    opts: KinesisEventStreamOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 100;
  }

  async put(events: AcceptedEvent[]): Promise<void> {
    const entries = events.map(
      (e): PutRecordsRequestEntry => ({
        PartitionKey: e.internalId,
        Data: Buffer.from(JSON.stringify(e), "utf8"),
      }),
    );
    for (const chunk of chunkRecords(entries)) await this.putChunk(chunk);
  }

  /** PutRecords is not atomic: only the entries with an ErrorCode are sent again. */
  private async putChunk(chunk: PutRecordsRequestEntry[]): Promise<void> {
    let codes = new Set<string>();
    await retryUnprocessed(
      chunk,
      async (pending) => {
        const res = await this.kinesis.send(
          new PutRecordsCommand({ StreamName: this.streamName, Records: pending }),
        );
        if (!res.FailedRecordCount) return [];
        const results = res.Records ?? [];
        codes = new Set(results.flatMap((r) => (r.ErrorCode !== undefined ? [r.ErrorCode] : [])));
        // A count with no marked entry leaves nothing identifiable to resend.
        return pending.filter((_, i) => results[i]?.ErrorCode !== undefined);
      },
      {
        maxAttempts: this.maxAttempts,
        backoffMs: this.backoffMs,
        what: "Kinesis PutRecords",
        describe: () => [...codes].join(", "),
      },
    );
  }
}
