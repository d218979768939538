import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { eventPartition, indexKey, signalPartition, valueAt } from "../../domain/pauses.js";
import type { InngestEvent, Pause } from "../../domain/schemas.js";
import type { PauseStore } from "../../ports/index.js";
import { queryAll } from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";
import { decodePause, pathsKey } from "./pauseItems.js";

/**
 * Finds pauses for an event: one read of the name's indexed paths, then one query per partition
 * the event's own values select (plus the name's unindexed partition). An event name nobody
 * waits on costs the single read.
 */
export class DynamoPauseStore implements PauseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly json: LargeJson,
  ) {}

  async candidates(event: InngestEvent): Promise<Pause[]> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: pathsKey(event.name) }));
    const declared = r.Item?.paths;
    if (!(declared instanceof Set)) return [];
    const partitions: string[] = [];
    for (const raw of declared) {
      const path = String(raw);
      if (path === "-") partitions.push(eventPartition(event.name));
      else {
        const key = indexKey(valueAt(event, path));
        if (key !== undefined) partitions.push(eventPartition(event.name, { path, key }));
      }
    }
    const items = await Promise.all(
      partitions.map((pk) =>
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
