import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  type AppRecord,
  appRecordSchema,
  type FunctionRecord,
  functionRecordSchema,
} from "../../domain/schemas.js";
import type { RegistryStore } from "../../ports/index.js";
import { batchWrite, type Item, queryAll, scanAll } from "./dynamo.js";

/**
 * Registry items (one table):
 *   APP#<appId>      / APP            the app record
 *   FN#<slug>        / FN             the function record (kept with `archived` when removed)
 *   TRIGGER#<event>  / FN#<slug>      trigger index entry, carrying a copy of the function record
 *                                     so the runner finds the functions of an event in one Query
 * Records sit under `data` and are parsed with their schemas when read.
 */
function triggerKeys(fn: FunctionRecord): { pk: string; sk: string }[] {
  const names = new Set<string>();
  for (const t of fn.triggers) if ("event" in t) names.add(t.event);
  return [...names].map((name) => ({ pk: `TRIGGER#${name}`, sk: `FN#${fn.slug}` }));
}

const parseApp = (item: Item) => appRecordSchema.parse(item.data);
const parseFunction = (item: Item) => functionRecordSchema.parse(item.data);

export class DynamoRegistryStore implements RegistryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getApp(appId: string): Promise<AppRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `APP#${appId}`, sk: "APP" }, ConsistentRead: true }),
    );
    return r.Item ? parseApp(r.Item) : undefined;
  }

  async listApps(): Promise<AppRecord[]> {
    return (await this.scanBySk("APP")).map(parseApp);
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
      for (const k of triggerKeys(old)) if (!keep.has(`${k.pk}|${k.sk}`)) deletes.push(k);
      if (!newSlugs.has(old.slug))
        puts.push({ pk: `FN#${old.slug}`, sk: "FN", data: { ...old, archived: true } });
    }
    // The app record goes last, so it only ever describes a sync whose functions are all written.
    puts.push({ pk: `APP#${app.appId}`, sk: "APP", data: app });
    await batchWrite(
      this.doc,
      this.table,
      [
        ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
        ...puts.map((Item) => ({ PutRequest: { Item } })),
      ],
      "registry writes",
    );
  }

  async getFunction(slug: string): Promise<FunctionRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `FN#${slug}`, sk: "FN" } }),
    );
    return r.Item ? parseFunction(r.Item) : undefined;
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return (await this.scanBySk("FN")).map(parseFunction).filter((f) => !f.archived);
  }

  async functionsForEvent(eventName: string): Promise<FunctionRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `TRIGGER#${eventName}` },
    });
    return items.map(parseFunction);
  }

  private scanBySk(sk: string): Promise<Item[]> {
    return scanAll(this.doc, {
      TableName: this.table,
      FilterExpression: "sk = :sk",
      ExpressionAttributeValues: { ":sk": sk },
    });
  }
}
