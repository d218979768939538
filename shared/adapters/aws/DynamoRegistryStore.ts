import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AppRecord, FunctionRecord } from "../../core/types.js";
import type { RegistryStore } from "../../ports/index.js";

/**
 * Registry items (one table):
 *   APP#<appId>      / APP            the app record
 *   FN#<slug>        / FN             the function record (kept with `archived` when removed)
 *   TRIGGER#<event>  / FN#<slug>      trigger index entry, carrying a copy of the function record
 *                                     so the runner finds the functions of an event in one Query
 */
type Item = Record<string, unknown>;

function triggerKeys(fn: FunctionRecord): { pk: string; sk: string }[] {
  const names = new Set<string>();
  for (const t of fn.triggers) if ("event" in t) names.add(t.event);
  return [...names].map((name) => ({ pk: `TRIGGER#${name}`, sk: `FN#${fn.slug}` }));
}

export class DynamoRegistryStore implements RegistryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getApp(appId: string): Promise<AppRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `APP#${appId}`, sk: "APP" }, ConsistentRead: true }),
    );
    return r.Item?.data as AppRecord | undefined;
  }

  async listApps(): Promise<AppRecord[]> {
    return (await this.scanBySk("APP")).map((i) => i.data as AppRecord);
  }

  async putAppSync(app: AppRecord, functions: FunctionRecord[], previous?: AppRecord): Promise<void> {
    const puts: Item[] = [];
    const keep = new Set<string>();
    for (const fn of functions) {
      puts.push({ pk: `FN#${fn.slug}`, sk: "FN", data: fn });
      for (const k of triggerKeys(fn)) {
        keep.add(`${k.pk}|${k.sk}`);
        puts.push({ ...k, data: fn });
      }
    }
    // Trigger entries of the previous sync that the new one no longer has are deleted, and
    // functions that disappeared are archived (in-flight runs still need their URL).
    const deletes: { pk: string; sk: string }[] = [];
    const newSlugs = new Set(functions.map((f) => f.slug));
    const olds = await Promise.all((previous?.functionSlugs ?? []).map((slug) => this.getFunction(slug)));
    for (const old of olds) {
      if (!old) continue;
      const slug = old.slug;
      for (const k of triggerKeys(old)) if (!keep.has(`${k.pk}|${k.sk}`)) deletes.push(k);
      if (!newSlugs.has(slug)) puts.push({ pk: `FN#${slug}`, sk: "FN", data: { ...old, archived: true } });
    }
    // The app record goes last, so it only ever describes a sync whose functions are all written.
    puts.push({ pk: `APP#${app.appId}`, sk: "APP", data: app });
    const requests = [
      ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
      ...puts.map((Item) => ({ PutRequest: { Item } })),
    ];
    for (let i = 0; i < requests.length; i += 25) {
      let batch: typeof requests | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; batch && batch.length > 0; attempt++) {
        if (attempt > 8) throw new Error("registry write kept returning unprocessed items");
        const r = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: batch } }));
        batch = r.UnprocessedItems?.[this.table] as typeof requests | undefined;
        if (batch?.length) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
      }
    }
  }

  async getFunction(slug: string): Promise<FunctionRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `FN#${slug}`, sk: "FN" } }),
    );
    return r.Item?.data as FunctionRecord | undefined;
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return (await this.scanBySk("FN"))
      .map((i) => i.data as FunctionRecord & { archived?: boolean })
      .filter((f) => !f.archived);
  }

  async functionsForEvent(eventName: string): Promise<FunctionRecord[]> {
    const out: FunctionRecord[] = [];
    let start: Item | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": `TRIGGER#${eventName}` },
          ExclusiveStartKey: start,
        }),
      );
      for (const i of r.Items ?? []) out.push(i.data as FunctionRecord);
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async scanBySk(sk: string): Promise<Item[]> {
    const out: Item[] = [];
    let start: Item | undefined;
    do {
      const r = await this.doc.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: "sk = :sk",
          ExpressionAttributeValues: { ":sk": sk },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
