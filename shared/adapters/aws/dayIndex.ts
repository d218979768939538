/**
 * Listings by time over a sparse index partitioned by UTC day (`<prefix><YYYY-MM-DD>`, sorted by
 * a numeric time attribute): newest first by walking days backwards, or oldest first. One day per
 * partition keeps listings a Query (never a Scan) and spreads writes over days.
 */
import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { parseMessage } from "../../domain/messages.js";
import type { Item } from "./dynamo.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The index partition of an item stamped at `ms`. */
export function dayPartition(prefix: string, ms: number): string {
  return `${prefix}${new Date(ms).toISOString().slice(0, 10)}`;
}

export interface DayQuery {
  table: string;
  index: string;
  /** Partition value prefix, e.g. "RUNS#". */
  prefix: string;
  /** The index's numeric sort key attribute. */
  sortKey: string;
  from: number;
  until: number;
  order: "asc" | "desc";
  /** A FilterExpression over the index's attributes, with its names and values. */
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

const cursorSchema = z.object({ day: z.number().int(), key: z.record(z.string(), z.unknown()).optional() });

function encode(day: number, key?: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ day, ...(key ? { key } : {}) })).toString("base64url");
}

function decode(cursor: string): { day: number; key?: Record<string, unknown> } {
  const parsed = parseMessage(cursorSchema, Buffer.from(cursor, "base64url").toString("utf8"));
  if (!parsed.ok) throw new Error(`invalid listing cursor: ${parsed.error}`);
  return parsed.value;
}

/** Day numbers (days since the epoch) from the window's first to last, in listing order. */
function days(q: DayQuery): number[] {
  const first = Math.floor(q.from / DAY_MS);
  const last = Math.floor(q.until / DAY_MS);
  const out: number[] = [];
  for (let d = first; d <= last; d++) out.push(d);
  return q.order === "asc" ? out : out.reverse();
}

function input(q: DayQuery, day: number) {
  return {
    TableName: q.table,
    IndexName: q.index,
    KeyConditionExpression: "#p = :p AND #t BETWEEN :from AND :until",
    ExpressionAttributeNames: { "#p": "listDay", "#t": q.sortKey, ...(q.filter?.names ?? {}) },
    ExpressionAttributeValues: {
      ":p": dayPartition(q.prefix, day * DAY_MS),
      ":from": q.from,
      ":until": q.until,
      ...(q.filter?.values ?? {}),
    },
    ...(q.filter ? { FilterExpression: q.filter.expression } : {}),
    ScanIndexForward: q.order === "asc",
  };
}

/** The ExclusiveStartKey that resumes an index query right after `item`. */
function indexKey(q: DayQuery, item: Item): Record<string, unknown> {
  return { pk: item.pk, sk: item.sk, listDay: item.listDay, [q.sortKey]: item[q.sortKey] };
}

/** One page of at most `limit` items; a cursor when the window may hold more. */
export async function queryDays(
  doc: DynamoDBDocumentClient,
  q: DayQuery,
  page: { limit: number; cursor?: string },
): Promise<{ items: Item[]; cursor?: string }> {
  const all = days(q);
  const start = page.cursor ? decode(page.cursor) : undefined;
  let i = start ? all.indexOf(start.day) : 0;
  if (i < 0) throw new Error("invalid listing cursor: its day is outside the window");
  let key = start?.key;
  const items: Item[] = [];
  while (i < all.length && items.length < page.limit) {
    const day = all[i] as number;
    const wanted = page.limit - items.length;
    // Limit counts items read before the filter: read ahead when filtering, then cut.
    const limit = q.filter ? Math.min(1000, Math.max(100, wanted * 4)) : wanted;
    const r = await doc.send(new QueryCommand({ ...input(q, day), Limit: limit, ExclusiveStartKey: key }));
    const got = r.Items ?? [];
    if (got.length > wanted) {
      const kept = got.slice(0, wanted);
      items.push(...kept);
      // Go on right after the last item kept: an index key is its own attributes plus the table's.
      key = indexKey(q, kept[kept.length - 1] as Item);
      break;
    }
    items.push(...got);
    key = r.LastEvaluatedKey;
    if (!key) i++;
  }
  if (i >= all.length) return { items };
  return { items, cursor: encode(all[i] as number, key) };
}

/** How many items the window holds (Select COUNT: no items are read back). */
export async function countDays(doc: DynamoDBDocumentClient, q: DayQuery): Promise<number> {
  let total = 0;
  for (const day of days(q)) {
    let key: Record<string, unknown> | undefined;
    do {
      const r = await doc.send(
        new QueryCommand({ ...input(q, day), Select: "COUNT", ExclusiveStartKey: key }),
      );
      total += r.Count ?? 0;
      key = r.LastEvaluatedKey;
    } while (key);
  }
  return total;
}
