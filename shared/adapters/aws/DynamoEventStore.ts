import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { checkFilterLists } from "../../domain/listing.js";
import { type StoredEventRecord, storedEventSchema } from "../../domain/schemas.js";
import type { EventQuery, EventStore, PageRequest } from "../../ports/index.js";
import { TABLES } from "../../resources.js";
import { dayPartition, queryDays } from "./dayIndex.js";
import { batchWrite, type Item } from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";

const TIME_INDEX = TABLES.events.indexes[0].name;
const DAY_PREFIX = "EVTS#";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Names of events Inngest itself sends (function.finished, scheduled.timer, ...). */
const INTERNAL_PREFIX = "inngest/";

/**
 * Events table: EVT#<internalId> / EVT, expiring after the retention period (checked on read).
 * Index `byTime`: EVTS#<day> / receivedAt, for the listing.
 */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly json: LargeJson,
    private readonly retentionSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async putEvent(record: StoredEventRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: await this.encode(record) }));
  }

  async putEvents(records: StoredEventRecord[]): Promise<void> {
    // One request may not name a key twice: the later record of an internal id wins.
    const byId = new Map(records.map((r) => [r.internalId, r]));
    const puts = await Promise.all(
      [...byId.values()].map(async (r) => ({ PutRequest: { Item: await this.encode(r) } })),
    );
    await batchWrite(this.doc, this.table, puts, "event writes");
  }

  private async encode(record: StoredEventRecord): Promise<Item> {
    return {
      pk: `EVT#${record.internalId}`,
      sk: "EVT",
      internalId: record.internalId,
      name: record.event.name,
      receivedAt: record.receivedAt,
      event: await this.json.encode(record.event, `events/${record.internalId}.json`),
      runIds: record.runIds,
      listDay: dayPartition(DAY_PREFIX, record.receivedAt),
      expiresAt: Math.floor(record.receivedAt / 1000) + this.retentionSeconds,
    };
  }

  async getEvent(internalId: string): Promise<StoredEventRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `EVT#${internalId}`, sk: "EVT" } }),
    );
    const item = r.Item;
    if (!item || this.expired(item)) return undefined;
    return this.decode(item);
  }

  async listEvents(
    query: EventQuery,
    page: PageRequest,
  ): Promise<{ events: StoredEventRecord[]; cursor?: string }> {
    checkFilterLists({ "event names": query.names });
    const names: Record<string, string> = { "#name": "name", "#exp": "expiresAt" };
    const values: Record<string, unknown> = { ":now": Math.ceil(this.now() / 1000) };
    // TTL deletion is lazy: expired items still present are filtered out.
    const clauses = ["#exp >= :now"];
    if (query.names) {
      const keys = query.names.map((n, i) => {
        values[`:n${i}`] = n;
        return `:n${i}`;
      });
      clauses.push(keys.length ? `#name IN (${keys.join(", ")})` : "attribute_not_exists(#name)");
    }
    if (query.includeInternal !== true) {
      values[":internal"] = INTERNAL_PREFIX;
      clauses.push("NOT begins_with(#name, :internal)");
    }
    const { items, cursor } = await queryDays(
      this.doc,
      {
        table: this.table,
        index: TIME_INDEX,
        prefix: DAY_PREFIX,
        sortKey: "receivedAt",
        from: Math.max(query.from, query.until - this.retentionSeconds * 1000 - DAY_MS),
        until: query.until,
        order: "desc",
        filter: { expression: clauses.join(" AND "), names, values },
      },
      page,
    );
    const events = await Promise.all(items.map((item) => this.decode(item)));
    return { events, ...(cursor ? { cursor } : {}) };
  }

  private expired(item: Item): boolean {
    return typeof item.expiresAt === "number" && item.expiresAt * 1000 < this.now();
  }

  private async decode(item: Item): Promise<StoredEventRecord> {
    return storedEventSchema.parse({
      ...item,
      event: await this.json.decode(item.event),
      runIds: item.runIds ?? [],
    });
  }
}
