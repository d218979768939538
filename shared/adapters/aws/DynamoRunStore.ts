import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Json, RunRecord, StepRecord, StoredError } from "../../core/types.js";
import type { CreateRunResult, RunStore, RunTransition } from "../../ports/index.js";
import type { LargeJson } from "./largeJson.js";

/**
 * Runs table:
 *   RUN#<runId>     / RUN             run record (version-guarded: every transition is conditional)
 *   RUN#<runId>     / STEP#<hashId>   one item per step result, written at most once
 *   EVTRUN#<eventId>/ <runId>         runs started by an event
 * Flow table:
 *   IDEM#<key>      / IDEM            event-id idempotency key, expiring after 24 h
 */
type Item = Record<string, unknown>;

function isConditionalFailure(
  err: unknown,
): err is { name: string; CancellationReasons?: { Code?: string }[] } {
  return (
    typeof err === "object" &&
    err !== null &&
    "name" in err &&
    ((err as { name: string }).name === "TransactionCanceledException" ||
      (err as { name: string }).name === "ConditionalCheckFailedException")
  );
}

export class DynamoRunStore implements RunStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { runs: string; flow: string },
    private readonly json: LargeJson,
    private readonly retentionSeconds: number,
  ) {}

  async createRun(
    run: RunRecord,
    idempotency?: { key: string; expiresAt: number },
  ): Promise<CreateRunResult> {
    const runItem = await this.encodeRun(run);
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]> = [
      {
        Put: {
          TableName: this.tables.runs,
          Item: runItem,
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.tables.runs,
          Item: {
            pk: `EVTRUN#${run.eventId}`,
            sk: run.runId,
            runId: run.runId,
            expiresAt: runItem.expiresAt,
          },
        },
      },
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tables.flow,
          Item: {
            pk: `IDEM#${idempotency.key}`,
            sk: "IDEM",
            runId: run.runId,
            expiresAt: Math.ceil(idempotency.expiresAt / 1000),
          },
          // TTL deletion is lazy: an expired key that is still present counts as free.
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
          ExpressionAttributeValues: { ":now": Math.floor(run.startedAt / 1000) },
        },
      });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return "created";
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      const reasons = err.CancellationReasons ?? [];
      if (reasons[0]?.Code === "ConditionalCheckFailed") return "exists";
      if (reasons[2]?.Code === "ConditionalCheckFailed") return "duplicate";
      throw err;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.tables.runs,
        Key: { pk: `RUN#${runId}`, sk: "RUN" },
        ConsistentRead: true,
      }),
    );
    return r.Item ? this.decodeRun(r.Item) : undefined;
  }

  async getRunState(runId: string): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined> {
    let run: RunRecord | undefined;
    const steps: StepRecord[] = [];
    let start: Item | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.runs,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": `RUN#${runId}` },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) {
        if (item.sk === "RUN") run = await this.decodeRun(item);
        else if (typeof item.sk === "string" && item.sk.startsWith("STEP#"))
          steps.push(await this.decodeStep(item));
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return run ? { run, steps } : undefined;
  }

  async commitTransition(runId: string, expectVersion: number, t: RunTransition): Promise<boolean> {
    const names: Record<string, string> = { "#version": "version" };
    const values: Record<string, unknown> = { ":expect": expectVersion, ":next": expectVersion + 1 };
    const sets = ["#version = :next"];
    for (const [field, raw] of Object.entries(t.set)) {
      if (raw === undefined) continue;
      let value: unknown = raw;
      if (field === "output" || field === "error") {
        value = await this.json.encode(raw as Json, `runs/${runId}/${field}.json`);
      }
      names[`#${field}`] = field;
      values[`:f_${field}`] = value;
      sets.push(`#${field} = :f_${field}`);
    }
    const update = {
      TableName: this.tables.runs,
      Key: { pk: `RUN#${runId}`, sk: "RUN" },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "#version = :expect",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      if (!t.steps?.length) {
        await this.doc.send(new UpdateCommand(update));
        return true;
      }
      const stepPuts = await Promise.all(
        t.steps.map(async (s) => ({
          Put: {
            TableName: this.tables.runs,
            Item: await this.encodeStep(s),
            ConditionExpression: "attribute_not_exists(sk)",
          },
        })),
      );
      await this.doc.send(new TransactWriteCommand({ TransactItems: [...stepPuts, { Update: update }] }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async listRunsForEvent(eventId: string): Promise<RunRecord[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.runs,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `EVTRUN#${eventId}` },
      }),
    );
    // One BatchGetItem per 100 runs rather than a GetItem per run.
    const keys = (r.Items ?? []).map((i) => ({ pk: `RUN#${String(i.runId)}`, sk: "RUN" }));
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 8) throw new Error("run reads kept returning unprocessed keys");
        if (attempt > 0) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
        const got = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tables.runs]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        items.push(...(got.Responses?.[this.tables.runs] ?? []));
        pending = got.UnprocessedKeys?.[this.tables.runs]?.Keys as Item[] | undefined;
      }
    }
    return Promise.all(items.map((item) => this.decodeRun(item)));
  }

  private async encodeRun(run: RunRecord): Promise<Item> {
    return {
      pk: `RUN#${run.runId}`,
      sk: "RUN",
      runId: run.runId,
      fnSlug: run.fnSlug,
      appId: run.appId,
      status: run.status,
      eventId: run.eventId,
      events: await this.json.encode(run.events as unknown as Json, `runs/${run.runId}/events.json`),
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      output: await this.json.encode(run.output, `runs/${run.runId}/output.json`),
      error: await this.json.encode(run.error as Json | undefined, `runs/${run.runId}/error.json`),
      version: run.version,
      requestVersion: run.requestVersion,
      stack: run.stack,
      next: run.next,
      expiresAt: Math.floor(run.startedAt / 1000) + this.retentionSeconds,
    };
  }

  private async decodeRun(item: Item): Promise<RunRecord> {
    return {
      runId: String(item.runId),
      fnSlug: String(item.fnSlug),
      appId: String(item.appId),
      status: item.status as RunRecord["status"],
      eventId: String(item.eventId),
      events: ((await this.json.decode(item.events)) ?? []) as unknown as RunRecord["events"],
      startedAt: Number(item.startedAt),
      endedAt: typeof item.endedAt === "number" ? item.endedAt : undefined,
      output: await this.json.decode(item.output),
      error: (await this.json.decode(item.error)) as StoredError | undefined,
      version: Number(item.version),
      requestVersion: Number(item.requestVersion),
      stack: (item.stack as string[] | undefined) ?? [],
      next: (item.next as RunRecord["next"] | undefined) ?? [],
    };
  }

  private async encodeStep(s: StepRecord): Promise<Item> {
    return {
      pk: `RUN#${s.runId}`,
      sk: `STEP#${s.stepId}`,
      stepId: s.stepId,
      value: await this.json.encode(s.value, `runs/${s.runId}/steps/${s.stepId}.json`),
      name: s.name,
      op: s.op,
      attempts: s.attempts,
      at: s.at,
    };
  }

  private async decodeStep(item: Item): Promise<StepRecord> {
    const runId = String(item.pk).slice("RUN#".length);
    return {
      runId,
      stepId: String(item.stepId),
      value: (await this.json.decode(item.value)) ?? null,
      name: typeof item.name === "string" ? item.name : undefined,
      op: String(item.op),
      attempts: Number(item.attempts ?? 0),
      at: Number(item.at),
    };
  }
}
