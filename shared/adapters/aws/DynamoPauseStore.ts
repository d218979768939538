import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { partitionsFor, signalPartition } from "../../domain/pauses.js";
import type { InngestEvent, Pause } from "../../domain/schemas.js";
import type { PauseStore } from "../../ports/index.js";
import { queryAll } from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";
import { decodePause, pathsKey } from "./pauseItems.js";

/**
 * Finds pauses for an event: one read of the name's indexed paths (the runner reads it once per
 * name per batch), then one query per partition the event's own values select (plus the name's
 * unindexed partition). An event name nobody waits on costs the single read.
 */
export class DynamoPauseStore implements PauseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly json: LargeJson,
  ) {}

  async indexedPaths(eventName: string): Promise<string[]> {
    // Consistent: a wait declares its path just before its pause is written; an event that arrives
    // right after must see it.
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: pathsKey(eventName), ConsistentRead: true }),
    );
    const declared = r.Item?.paths;
    // A string set cannot hold "": the unindexed partition is stored as "-".
    return declared instanceof Set ? [...declared].map((p) => (String(p) === "-" ? "" : String(p))) : [];
  }

  async candidates(event: InngestEvent, paths: readonly string[]): Promise<Pause[]> {
    const items = await Promise.all(
      partitionsFor(event, paths).map((pk) =>
        queryAll(this.doc, {
          TableName: this.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ConsistentRead: true,
        }),
      ),
    );
    return Promise.all(items.flat().map((item) => decodePause(this.json, item)));
  }

  async forSignal(signal: string): Promise<Pause | undefined> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": signalPartition(signal) },
        ConsistentRead: true,
        // The newest wait (run ids are ULIDs): with conflict "replace" it takes the signal.
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = r.Items?.[0];
    return item ? decodePause(this.json, item) : undefined;
  }
}
