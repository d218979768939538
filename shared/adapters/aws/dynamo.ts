/**
 * DynamoDB helpers every store shares: reading every page of a query or scan, batch reads and
 * writes, and conditional writes that tell a failed condition (the expected outcome of a race) from every other failure.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { retryUnprocessed } from "./retryUnprocessed.js";

export type Item = Record<string, unknown>;

/** Every item of a query, across pages. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateQuery({ client: doc }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** Every item of a scan, across pages. */
export async function scanAll(doc: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client: doc }, input)) items.push(...(page.Items ?? []));
  return items;
}

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** A transaction item with a name, so a failed condition is reported by what it guards. */
export interface NamedTransactItem<N extends string> {
  name: N;
  item: TransactItem;
}

export type TransactResult<N extends string> = { ok: true } | { ok: false; failedConditions: Set<N> };

function errorName(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "name" in err && typeof err.name === "string"
    ? err.name
    : undefined;
}

/** The `Code` of each cancellation reason, by position in the transaction (undefined = none given). */
export function cancellationCodes(err: unknown): (string | undefined)[] | undefined {
  if (errorName(err) !== "TransactionCanceledException") return undefined;
  const reasons =
    typeof err === "object" &&
    err !== null &&
    "CancellationReasons" in err &&
    Array.isArray(err.CancellationReasons)
      ? (err.CancellationReasons as unknown[])
      : [];
  return reasons.map((r) =>
    typeof r === "object" && r !== null && "Code" in r && typeof r.Code === "string" ? r.Code : undefined,
  );
}

/**
 * Which named items failed their condition, when a transaction was cancelled only because of
 * conditions; undefined when it was cancelled for anything else (a conflicting transaction,
 * throttling, validation), which the caller must treat as a failure to retry, not as a lost race.
 */
export function failedConditions<N extends string>(err: unknown, names: readonly N[]): Set<N> | undefined {
  const codes = cancellationCodes(err);
  if (!codes || codes.length === 0) return undefined;
  const failed = new Set<N>();
  for (const [i, code] of codes.entries()) {
    if (code === undefined || code === "None") continue;
    const name = names[i];
    if (code !== "ConditionalCheckFailed" || name === undefined) return undefined;
    failed.add(name);
  }
  return failed.size > 0 ? failed : undefined;
}

/**
 * Writes the items in one transaction. A cancellation caused only by failed conditions comes back
 * as `{ ok: false, failedConditions }`; every other error is thrown.
 */
export async function transactWrite<N extends string>(
  doc: DynamoDBDocumentClient,
  items: NamedTransactItem<N>[],
): Promise<TransactResult<N>> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: items.map((i) => i.item) }));
    return { ok: true };
  } catch (err) {
    const failed = failedConditions(
      err,
      items.map((i) => i.name),
    );
    if (failed) return { ok: false, failedConditions: failed };
    throw err;
  }
}

/** True for the single-item form of a failed condition (PutItem/UpdateItem/DeleteItem). */
export function isConditionalCheckFailed(err: unknown): boolean {
  return errorName(err) === "ConditionalCheckFailedException";
}

/** A TTL attribute's value (epoch seconds) for an expiry in epoch ms; TTL deletes late, so reads check ms. */
export const ttlSeconds = (epochMs: number) => Math.ceil(epochMs / 1000);

/** Awaits a conditional single-item write: true when applied, false when its condition failed. */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** One write of a BatchWriteItem: a put or a delete. */
type BatchWriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/**
 * Writes `requests` to `table` 25 at a time (BatchWriteItem's limit), sending again what DynamoDB
 * reports unprocessed, with backoff (9 sends at most per batch). `what` names them in the error.
 */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: BatchWriteRequest[],
  what: string,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    await retryUnprocessed(
      requests.slice(i, i + 25),
      async (batch) => {
        const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
        return (r.UnprocessedItems?.[table] ?? []).flatMap((u): BatchWriteRequest[] => {
          if (u.PutRequest?.Item) return [{ PutRequest: { Item: u.PutRequest.Item } }];
          if (u.DeleteRequest?.Key) return [{ DeleteRequest: { Key: u.DeleteRequest.Key } }];
          return [];
        });
      },
      { maxAttempts: 9, backoffMs: 50, what: `${what} (BatchWriteItem)` },
    );
  }
}

/**
 * Reads `keys` from `table` 100 at a time (BatchGetItem's limit), sending again what DynamoDB
 * reports unprocessed, with backoff (9 sends at most per batch): the items found, in no particular
 * order. `what` names them in the error.
 */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Item[],
  what: string,
  opts: { consistentRead?: boolean } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    await retryUnprocessed(
      keys.slice(i, i + 100),
      async (batch) => {
        const got = await doc.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: { Keys: batch, ...(opts.consistentRead ? { ConsistentRead: true } : {}) },
            },
          }),
        );
        items.push(...(got.Responses?.[table] ?? []));
        return got.UnprocessedKeys?.[table]?.Keys ?? [];
      },
      { maxAttempts: 9, backoffMs: 50, what: `${what} (BatchGetItem)` },
    );
  }
  return items;
}
