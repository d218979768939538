/**
 * Pause items of the pauses table, shared by the run store (which writes them inside run
 * transactions) and the pause store (which reads them):
 *   <partition>      / <pauseId>  a pause (see shared/domain/pauses.ts for the partitions)
 *   NAMES#<event>    / PATHS      the indexed paths in use for an event name ("" = unindexed)
 * The paths item is written outside transactions (ADD is idempotent), so runs beginning waits on
 * one name never conflict on it; a cache per container skips paths already declared.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Pause, pauseSchema } from "../../domain/schemas.js";
import type { Item } from "./dynamo.js";
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
