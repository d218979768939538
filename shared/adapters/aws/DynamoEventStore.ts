import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type StoredEventRecord, storedEventSchema } from "../../domain/schemas.js";
import type { EventStore } from "../../ports/index.js";
import type { LargeJson } from "./largeJson.js";

/** Events table: EVT#<internalId> / EVT, expiring after the retention period (checked on read). */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly json: LargeJson,
    private readonly retentionSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async putEvent(record: StoredEventRecord): Promise<void> {
    const event = await this.json.encode(record.event, `events/${record.internalId}.json`);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `EVT#${record.internalId}`,
          sk: "EVT",
          internalId: record.internalId,
          name: record.event.name,
          receivedAt: record.receivedAt,
          event,
          runIds: record.runIds,
          expiresAt: Math.floor(record.receivedAt / 1000) + this.retentionSeconds,
        },
      }),
    );
  }

  async getEvent(internalId: string): Promise<StoredEventRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `EVT#${internalId}`, sk: "EVT" } }),
    );
    const item = r.Item;
    if (!item || (typeof item.expiresAt === "number" && item.expiresAt * 1000 < this.now())) return undefined;
    return storedEventSchema.parse({
      ...item,
      event: await this.json.decode(item.event),
      runIds: item.runIds ?? [],
    });
  }
}
