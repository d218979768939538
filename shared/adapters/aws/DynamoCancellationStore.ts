import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { CancellationRecord, CancellationStore, PageRequest } from "../../ports/index.js";
import type { Item } from "./dynamo.js";

/** Every cancellation lives in one partition of the flow table (a small set), sorted by id. */
const PK = "CANCEL";
/**
 * A cancellation is kept this long past the end of its window (or its creation, if later): no run
 * created after the window falls in it, so it only still serves the listing. TTL removes it then,
 * which keeps the set the runner reads per batch small.
 */
const KEEP_SECONDS = 30 * 24 * 60 * 60;

/** The TTL attribute (epoch seconds) of a cancellation's item. */
export function cancellationExpiresAt(
  record: Pick<CancellationRecord, "startedBefore" | "createdAt">,
): number {
  return Math.ceil(Math.max(record.startedBefore, record.createdAt) / 1000) + KEEP_SECONDS;
}

const recordSchema = z.object({
  id: z.string().min(1),
  appId: z.string().min(1),
  fnSlug: z.string().min(1),
  fnInternalId: z.string(),
  startedAfter: z.number().optional(),
  startedBefore: z.number(),
  if: z.string().optional(),
  createdAt: z.number(),
}) satisfies z.ZodType<CancellationRecord>;

function decode(item: Item): CancellationRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  const parsed = recordSchema.parse(rest);
  // Optional fields stay absent rather than `undefined` (records compare equal across stores).
  const record: CancellationRecord = {
    id: parsed.id,
    appId: parsed.appId,
    fnSlug: parsed.fnSlug,
    fnInternalId: parsed.fnInternalId,
    startedBefore: parsed.startedBefore,
    createdAt: parsed.createdAt,
  };
  if (parsed.startedAfter !== undefined) record.startedAfter = parsed.startedAfter;
  if (parsed.if !== undefined) record.if = parsed.if;
  return record;
}

/** Bulk cancellations in the flow table: pk `CANCEL`, sk the record's id (newest first = descending). */
export class DynamoCancellationStore implements CancellationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(record: CancellationRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: PK,
          sk: record.id,
          ...record,
          expiresAt: cancellationExpiresAt(record),
        },
      }),
    );
  }

  async get(id: string): Promise<CancellationRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: PK, sk: id }, ConsistentRead: true }),
    );
    return r.Item ? decode(r.Item) : undefined;
  }

  async list(page: PageRequest): Promise<{ cancellations: CancellationRecord[]; cursor?: string }> {
    const after = page.cursor ? Buffer.from(page.cursor, "base64url").toString("utf8") : undefined;
    // One more than asked: a cursor only when more remain (DynamoDB's LastEvaluatedKey may be set
    // when the page ends exactly at the last item).
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: after !== undefined ? "pk = :pk AND sk < :after" : "pk = :pk",
        ExpressionAttributeValues: { ":pk": PK, ...(after !== undefined ? { ":after": after } : {}) },
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: Math.max(1, page.limit) + 1,
      }),
    );
    const items = (r.Items ?? []).map(decode);
    const cancellations = items.slice(0, Math.max(0, page.limit));
    const last = cancellations.at(-1);
    if (!last || items.length <= cancellations.length) return { cancellations };
    return { cancellations, cursor: Buffer.from(last.id, "utf8").toString("base64url") };
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: id }, ReturnValues: "ALL_OLD" }),
    );
    return r.Attributes !== undefined;
  }
}
