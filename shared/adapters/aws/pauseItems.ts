/**
 * Pause items of the pauses table, shared by the run store (which writes them inside run
 * transactions) and the pause store (which reads them):
 *   <partition>      / <pauseId>  a pause (see shared/domain/pauses.ts for the partitions)
 *   NAMES#<event>    / PATHS      the indexed paths in use for an event name ("" = unindexed)
 * The paths item is written outside transactions (ADD is idempotent), so runs beginning waits on
 * one name never conflict on it; a cache per container skips paths already declared.
 */
import {
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type Pause, type PauseRef, pauseSchema } from "../../domain/schemas.js";
import type { PauseWrites } from "../../ports/index.js";
import type { Item, NamedTransactItem } from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";

/** Expired pauses linger this long before TTL may delete them (late timeouts still find them). */
const PAUSE_TTL_GRACE_SECONDS = 20 * 60;

export function pathsKey(eventName: string): Item {
  return { pk: `NAMES#${eventName}`, sk: "PATHS" };
}

export async function encodePause(json: LargeJson, pause: Pause): Promise<Item> {
  return {
    pk: pause.partition,
    sk: pause.pauseId,
    runId: pause.runId,
    pause: await json.encode(pause, `pauses/${encodeURIComponent(pause.pauseId)}.json`),
    expiresAt: Math.ceil(pause.expiresAt / 1000) + PAUSE_TTL_GRACE_SECONDS,
  };
}

export async function decodePause(json: LargeJson, item: Item): Promise<Pause> {
  return pauseSchema.parse(await json.decode(item.pause));
}

/** Declares the paths of new pauses on their event names (once per container per path). */
export class PathDeclarations {
  private readonly declared = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async declare(pauses: readonly Pause[]): Promise<void> {
    const todo = new Map<string, Set<string>>();
    for (const p of pauses) {
      if (p.eventName === undefined) continue;
      const path = p.indexPath ?? "";
      const id = `${p.eventName}\u0000${path}`;
      if (this.declared.has(id)) continue;
      const set = todo.get(p.eventName) ?? new Set<string>();
      set.add(path);
      todo.set(p.eventName, set);
    }
    await Promise.all(
      [...todo].map(async ([name, paths]) => {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: pathsKey(name),
            UpdateExpression: "ADD #paths :paths",
            ExpressionAttributeNames: { "#paths": "paths" },
            // A string set cannot hold "": the unindexed partition is recorded as "-".
            ExpressionAttributeValues: { ":paths": new Set([...paths].map((p) => p || "-")) },
          }),
        );
        for (const p of paths) this.declared.add(`${name}\u0000${p}`);
      }),
    );
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The transaction items of a transition's pause writes. The consume is a conditional delete named
 * "consume": its failure is a lost race (the other side of an event/timeout race resumed the run).
 * New pauses' paths are declared first, outside the transaction.
 */
export async function pauseWriteItems(
  json: LargeJson,
  table: string,
  paths: PathDeclarations,
  writes: PauseWrites | undefined,
): Promise<NamedTransactItem<string>[]> {
  if (!writes) return [];
  const del = (name: string, ref: PauseRef, conditional: boolean): NamedTransactItem<string> => {
    const item: TransactItem = {
      Delete: {
        TableName: table,
        Key: { pk: ref.partition, sk: ref.pauseId },
        ...(conditional ? { ConditionExpression: "attribute_exists(pk)" } : {}),
      },
    };
    return { name, item };
  };
  const out: NamedTransactItem<string>[] = writes.consume ? [del("consume", writes.consume, true)] : [];
  const consumed = writes.consume?.pauseId;
  for (const ref of writes.remove ?? []) {
    if (ref.pauseId !== consumed) out.push(del(`remove:${ref.pauseId}`, ref, false));
  }
  for (const pause of writes.put ?? []) {
    out.push({
      name: `pause:${pause.pauseId}`,
      item: { Put: { TableName: table, Item: await encodePause(json, pause) } },
    });
  }
  if (writes.put?.length) await paths.declare(writes.put);
  return out;
}
