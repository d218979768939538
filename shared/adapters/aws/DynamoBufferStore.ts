import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { inngestEventSchema } from "../../domain/schemas.js";
import {
  type BatchAppend,
  type BatchAppendResult,
  type BatchBuffer,
  type BatchStart,
  type BatchState,
  type BufferedEvent,
  type BufferRef,
  type BufferStore,
  batchClosed,
  type DebounceBuffer,
} from "../../ports/index.js";
import { applied, type Item, isConditionalCheckFailed, ttlSeconds } from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";

/**
 * Debounce and batch buffers in the flow table:
 *   BATCH#<fnSlug>#<key> / BATCH   a batch: cycle, sealed, events (list of {i: internal id, e: event
 *                                  JSON}) in arrival order, their ids as a string set, n, bytes
 *   DEB#<fnSlug>#<key>   / DEB     a debounce: cycle, version, sealed, times, the latest event (JSON,
 *                                  in the payload bucket when large: an event may be 512 KiB)
 *   BUFEV#<fnSlug>#<id>  / BUFEV   a claim: the cycle an event went into (or was superseded in)
 * Appends are one conditional UpdateItem (list_append), so concurrent appends never conflict and
 * never lose one another. `expiresAt` (epoch seconds) is TTL: lazy, so claims also keep `until`
 * (ms) and a condition treats a claim past it as free. Buffers carry a TTL only as a collector of
 * orphans long past due; they are never treated as expired on read (their events were accepted).
 */
const BATCH_SK = "BATCH";
const DEBOUNCE_SK = "DEB";
const CLAIM_SK = "BUFEV";
/** Claims written at once per flush. */
const CLAIM_CONCURRENCY = 25;
/** Appends tried again when the item changed between a failed condition and the read that explains it. */
const APPEND_ATTEMPTS = 5;

const batchKey = (ref: BufferRef) => ({ pk: `BATCH#${ref.fnSlug}#${ref.key}`, sk: BATCH_SK });
const debounceKey = (ref: BufferRef) => ({ pk: `DEB#${ref.fnSlug}#${ref.key}`, sk: DEBOUNCE_SK });
const claimKey = (fnSlug: string, internalId: string) => ({
  pk: `BUFEV#${fnSlug}#${internalId}`,
  sk: CLAIM_SK,
});

const storedEntrySchema = z.object({ i: z.string().min(1), e: z.string() });

const batchStateSchema = z.object({
  fnSlug: z.string(),
  key: z.string(),
  cycle: z.string().min(1),
  sealed: z.boolean(),
  createdAt: z.number(),
  flushAt: z.number(),
  n: z.number().int(),
  bytes: z.number(),
});
const batchEventsSchema = z.object({ events: z.array(storedEntrySchema) });
/** What an append reads back when its condition failed: the state and the ids, not the events. */
const STATE_PROJECTION = "fnSlug, #key, #cycle, #sealed, createdAt, flushAt, #n, #bytes, #ids";
const STATE_NAMES = {
  "#key": "key",
  "#cycle": "cycle",
  "#sealed": "sealed",
  "#n": "n",
  "#bytes": "bytes",
  "#ids": "ids",
};

const debounceItemSchema = z.object({
  fnSlug: z.string(),
  key: z.string(),
  cycle: z.string().min(1),
  version: z.number().int(),
  sealed: z.boolean(),
  firstAt: z.number(),
  fireAt: z.number(),
  eventId: z.string().min(1),
  event: z.unknown(),
});

const encodeEntry = (e: BufferedEvent) => ({ i: e.internalId, e: JSON.stringify(e.event) });
const decodeEntry = (s: z.infer<typeof storedEntrySchema>): BufferedEvent => ({
  internalId: s.i,
  event: inngestEventSchema.parse(JSON.parse(s.e)),
});

/** The state of a batch item; its events are not parsed (an append reads them back on every call). */
function decodeState(item: Item): BatchState {
  const b = batchStateSchema.parse(item);
  return {
    fnSlug: b.fnSlug,
    key: b.key,
    cycle: b.cycle,
    sealed: b.sealed,
    createdAt: b.createdAt,
    flushAt: b.flushAt,
    size: b.n,
    bytes: b.bytes,
  };
}

function decodeBatch(item: Item): BatchBuffer {
  return { ...decodeState(item), events: batchEventsSchema.parse(item).events.map(decodeEntry) };
}

async function decodeDebounce(item: Item, json: LargeJson): Promise<DebounceBuffer> {
  const d = debounceItemSchema.parse(item);
  return {
    fnSlug: d.fnSlug,
    key: d.key,
    cycle: d.cycle,
    version: d.version,
    sealed: d.sealed,
    firstAt: d.firstAt,
    fireAt: d.fireAt,
    latest: { internalId: d.eventId, event: inngestEventSchema.parse(await json.decode(d.event)) },
  };
}

export class DynamoBufferStore implements BufferStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly json: LargeJson,
  ) {}

  async appendBatch(ref: BufferRef, append: BatchAppend): Promise<BatchAppendResult> {
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      try {
        const r = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: batchKey(ref),
            ConditionExpression:
              "attribute_exists(pk) AND #sealed = :false AND #flushAt > :now AND #n < :maxSize AND #bytes <= :room AND NOT contains(#ids, :id)",
            UpdateExpression:
              "SET #events = list_append(#events, :entry), #n = #n + :one, #bytes = #bytes + :bytes ADD #ids :idSet",
            ExpressionAttributeNames: {
              "#sealed": "sealed",
              "#flushAt": "flushAt",
              "#n": "n",
              "#bytes": "bytes",
              "#ids": "ids",
              "#events": "events",
            },
            ExpressionAttributeValues: {
              ":false": false,
              ":now": append.now,
              ":maxSize": append.maxSize,
              ":room": append.maxBytes - append.bytes,
              ":id": append.entry.internalId,
              ":idSet": new Set([append.entry.internalId]),
              ":entry": [encodeEntry(append.entry)],
              ":one": 1,
              ":bytes": append.bytes,
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        if (!r.Attributes) throw new Error(`batch ${ref.fnSlug}/${ref.key}: append returned no item`);
        return { result: "appended", buffer: decodeState(r.Attributes) };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      // Why the condition failed, read back (the item may have moved on since: then append again).
      const r = await this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: batchKey(ref),
          ConsistentRead: true,
          ProjectionExpression: STATE_PROJECTION,
          ExpressionAttributeNames: STATE_NAMES,
        }),
      );
      if (!r.Item) return { result: "absent" };
      const buffer = decodeState(r.Item);
      const ids: unknown = r.Item.ids;
      if (ids instanceof Set && ids.has(append.entry.internalId)) return { result: "present", buffer };
      if (batchClosed(buffer, append)) return { result: "closed", buffer };
    }
    throw new Error(`batch ${ref.fnSlug}/${ref.key}: append kept losing races`);
  }

  async startBatch(ref: BufferRef, entry: BufferedEvent, bytes: number, start: BatchStart): Promise<boolean> {
    return applied(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...batchKey(ref),
            fnSlug: ref.fnSlug,
            key: ref.key,
            cycle: start.cycle,
            sealed: false,
            createdAt: start.createdAt,
            flushAt: start.flushAt,
            events: [encodeEntry(entry)],
            ids: new Set([entry.internalId]),
            n: 1,
            bytes,
            expiresAt: ttlSeconds(start.expiresAt),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  async getBatch(ref: BufferRef): Promise<BatchBuffer | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: batchKey(ref), ConsistentRead: true }),
    );
    return r.Item ? decodeBatch(r.Item) : undefined;
  }

  async sealBatch(ref: BufferRef, cycle: string): Promise<BatchBuffer | undefined> {
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: batchKey(ref),
          ConditionExpression: "#cycle = :cycle",
          UpdateExpression: "SET #sealed = :true",
          ExpressionAttributeNames: { "#cycle": "cycle", "#sealed": "sealed" },
          ExpressionAttributeValues: { ":cycle": cycle, ":true": true },
          ReturnValues: "ALL_NEW",
        }),
      );
      return r.Attributes ? decodeBatch(r.Attributes) : undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  async deleteBatch(ref: BufferRef, cycle: string): Promise<void> {
    await this.deleteIfCycle(batchKey(ref), cycle);
  }

  async getDebounce(ref: BufferRef): Promise<DebounceBuffer | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: debounceKey(ref), ConsistentRead: true }),
    );
    return r.Item ? decodeDebounce(r.Item, this.json) : undefined;
  }

  async putDebounce(
    next: DebounceBuffer,
    expected: { cycle: string; version: number } | undefined,
    expiresAt: number,
  ): Promise<boolean> {
    const { internalId, event } = next.latest;
    const encoded = await this.json.encode(event, `buffers/${next.fnSlug}/${internalId}.json`);
    return applied(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...debounceKey(next),
            fnSlug: next.fnSlug,
            key: next.key,
            cycle: next.cycle,
            version: next.version,
            sealed: next.sealed,
            firstAt: next.firstAt,
            fireAt: next.fireAt,
            eventId: internalId,
            event: encoded,
            expiresAt: ttlSeconds(expiresAt),
          },
          ...(expected
            ? {
                ConditionExpression: "#cycle = :cycle AND #version = :version",
                ExpressionAttributeNames: { "#cycle": "cycle", "#version": "version" },
                ExpressionAttributeValues: { ":cycle": expected.cycle, ":version": expected.version },
              }
            : { ConditionExpression: "attribute_not_exists(pk)" }),
        }),
      ),
    );
  }

  async deleteDebounce(ref: BufferRef, cycle: string): Promise<void> {
    await this.deleteIfCycle(debounceKey(ref), cycle);
  }

  async claimEvents(
    fnSlug: string,
    cycle: string,
    internalIds: readonly string[],
    opts: { now: number; expiresAt: number },
  ): Promise<Set<string>> {
    const taken = new Set<string>();
    for (let i = 0; i < internalIds.length; i += CLAIM_CONCURRENCY) {
      await Promise.all(
        internalIds.slice(i, i + CLAIM_CONCURRENCY).map(async (id) => {
          if (!(await this.claim(fnSlug, cycle, id, opts))) taken.add(id);
        }),
      );
    }
    return taken;
  }

  async claimOf(fnSlug: string, internalId: string, now: number): Promise<string | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: claimKey(fnSlug, internalId), ConsistentRead: true }),
    );
    const claim = z.object({ cycle: z.string(), until: z.number() }).safeParse(r.Item);
    return claim.success && claim.data.until >= now ? claim.data.cycle : undefined;
  }

  /** True when the event is (now) claimed for `cycle`. */
  private async claim(
    fnSlug: string,
    cycle: string,
    internalId: string,
    opts: { now: number; expiresAt: number },
  ): Promise<boolean> {
    return applied(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...claimKey(fnSlug, internalId),
            cycle,
            until: opts.expiresAt,
            expiresAt: ttlSeconds(opts.expiresAt),
          },
          ConditionExpression: "attribute_not_exists(pk) OR #cycle = :cycle OR #until < :now",
          ExpressionAttributeNames: { "#cycle": "cycle", "#until": "until" },
          ExpressionAttributeValues: { ":cycle": cycle, ":now": opts.now },
        }),
      ),
    );
  }

  private async deleteIfCycle(key: { pk: string; sk: string }, cycle: string): Promise<void> {
    await applied(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: "#cycle = :cycle",
          ExpressionAttributeNames: { "#cycle": "cycle" },
          ExpressionAttributeValues: { ":cycle": cycle },
        }),
      ),
    );
  }
}
