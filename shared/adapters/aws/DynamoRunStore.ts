import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { checkFilterLists } from "../../domain/listing.js";
import {
  type AttemptRecord,
  attemptRecordSchema,
  type Pause,
  type RunMetadataRecord,
  type RunRecord,
  type RunSummary,
  runMetadataRecordSchema,
  runRecordSchema,
  type StepRecord,
  scheduledJobSchema,
  stepRecordSchema,
  storedErrorSchema,
  type UserlandSpan,
  userlandSpanSchema,
} from "../../domain/schemas.js";
import type {
  AppendResult,
  AppendSteps,
  CompleteStep,
  CreateRunResult,
  PageRequest,
  RunHistory,
  RunQuery,
  RunStore,
  RunTransition,
  StalledRun,
} from "../../ports/index.js";
import { RUN_INDEX_SHARDS, TABLES } from "../../resources.js";
import { countDays, type DayQuery, dayPartition, queryDays } from "./dayIndex.js";
import {
  applied,
  batchGet,
  batchWrite,
  type Item,
  type NamedTransactItem,
  queryAll,
  transactWrite,
} from "./dynamo.js";
import type { LargeJson } from "./largeJson.js";
import { PathDeclarations, pauseWriteItems } from "./pauseItems.js";
import { type AppendStore, appendSteps, completeStep, stepPuts } from "./runAppends.js";
import { endedExpiry, needsRenewal, runningExpiry } from "./runExpiry.js";
import {
  activeAttributes,
  decodeCursor,
  encodeCursor,
  lastDueAt,
  pendingOf,
  transitionUpdate,
} from "./runItems.js";

/**
 * Runs table:
 *   RUN#<runId>     / RUN             run record (version-guarded: every transition is conditional)
 *   RUN#<runId>     / STEP#<hashId>   one item per step result, written at most once
 *   EVTRUN#<eventId>/ <runId>         runs started by an event
 *   TRACE#<runId>   / ATTEMPT#<ver>   a failed attempt (trace only; the engine never reads it)
 *   TRACE#<runId>   / META#<writeId>  metadata written through the API
 *   TRACE#<runId>   / USPAN#<spanId>  a span the app exported (OTLP)
 *   index `active`: ACTIVE#<shard> / nextDueAt, Running runs only (the recovery sweep's list)
 *   index `byTime`: RUNS#<day> / startedAt, every run record (the runs listing)
 * RUN# items expire as runExpiry.ts says (never under a Running run); an EVTRUN# item when its
 * run's record was first due to (reads do not renew it); TRACE# items the retention after they
 * were written.
 * Flow table:
 *   IDEM#<key>      / IDEM            event-id idempotency key, expiring after 24 h
 * Pauses table (see pauseItems.ts): pauses are written in the transaction of the run transition
 * that begins or ends the wait, so a run never waits without its pause nor resumes twice.
 */
const ACTIVE_INDEX = TABLES.runs.indexes[0].name;
const TIME_INDEX = TABLES.runs.indexes[1].name;
const RUNS_DAY_PREFIX = "RUNS#";
/** Listings reach back at most the retention plus a day (older runs are expired). */
const DAY_MS = 24 * 60 * 60 * 1000;

const summarySchema = runRecordSchema
  .pick({
    runId: true,
    fnSlug: true,
    appId: true,
    status: true,
    eventId: true,
    startedAt: true,
    endedAt: true,
    firstAttemptAt: true,
  })
  .extend({ eventName: z.string().optional() });

const stalledRunSchema = z.object({
  runId: z.string(),
  version: z.number().int().min(0),
  next: z.array(scheduledJobSchema),
});

export class DynamoRunStore implements RunStore {
  private readonly paths: PathDeclarations;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { runs: string; flow: string; pauses: string },
    private readonly json: LargeJson,
    private readonly retentionSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.paths = new PathDeclarations(doc, tables.pauses);
  }

  async createRun(
    run: RunRecord,
    idempotency?: { key: string; expiresAt: number },
    pauses?: Pause[],
  ): Promise<CreateRunResult> {
    const runItem = await this.encodeRun(run);
    const items: NamedTransactItem<string>[] = [
      ...(await pauseWriteItems(
        this.json,
        this.tables.pauses,
        this.paths,
        pauses?.length ? { put: pauses } : undefined,
      )),
      {
        name: "run",
        item: {
          Put: {
            TableName: this.tables.runs,
            Item: runItem,
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      },
      {
        name: "byEvent",
        item: {
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
      },
    ];
    if (idempotency) {
      items.push({
        name: "idempotency",
        item: {
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
        },
      });
    }
    const result = await transactWrite(this.doc, items);
    if (result.ok) return "created";
    if (result.failedConditions.has("run")) return "exists";
    return "duplicate";
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
    const items = await queryAll(this.doc, {
      TableName: this.tables.runs,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `RUN#${runId}` },
      ConsistentRead: true,
    });
    let run: RunRecord | undefined;
    const steps: StepRecord[] = [];
    for (const item of items) {
      if (item.sk === "RUN") run = await this.decodeRun(item);
      else if (typeof item.sk === "string" && item.sk.startsWith("STEP#"))
        steps.push(await this.decodeStep(item));
    }
    if (run?.status === "Running") await this.renew(items);
    return run ? { run, steps } : undefined;
  }

  /**
   * Moves the expiry of a Running run's items that could lapse before its next job reads them (a
   * run older than the retention that sleeps again), and writes their S3 payloads again so the
   * bucket's lifecycle rule (counted from creation, shared/adapters/aws/runExpiry.ts) restarts
   * too. Rare: every job reads its run's state, and a run read within the retention of its writes
   * renews nothing and makes no call. The run record is renewed only while it is still Running,
   * so a run that ended meanwhile keeps its retention; a step already gone is not brought back.
   */
  private async renew(items: Item[]): Promise<void> {
    const now = this.now();
    const lapsing = items.filter((item) => needsRenewal(this.lapsesAt(item), now));
    const expiresAt = runningExpiry(now, this.retentionSeconds);
    await Promise.all(
      lapsing.map(async (item) => {
        const isRun = item.sk === "RUN";
        const refs = isRun ? [item.events, item.output, item.error, item.outbox, item.defers] : [item.value];
        await Promise.all(refs.map((ref) => this.json.rewrite(ref)));
        await applied(
          this.doc.send(
            new UpdateCommand({
              TableName: this.tables.runs,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: isRun ? "SET expiresAt = :exp, payloadsAt = :now" : "SET expiresAt = :exp",
              ConditionExpression: isRun ? "#status = :running" : "attribute_exists(pk)",
              ...(isRun ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
              ExpressionAttributeValues: {
                ":exp": Math.max(expiresAt, Number(item.expiresAt ?? 0)),
                ...(isRun ? { ":running": "Running", ":now": now } : {}),
              },
            }),
          ),
        );
      }),
    );
  }

  /**
   * When a Running run's item, or a payload it points to, lapses first. A step's payload is
   * written with its item. The run record's payloads (events, outbox, defers) date from no earlier
   * than its start or their last rewrite (`payloadsAt`), while its transitions move the record's
   * own expiry on without rewriting them.
   */
  private lapsesAt(item: Item): unknown {
    if (item.sk !== "RUN") return item.expiresAt;
    const payloads = runningExpiry(Number(item.payloadsAt ?? item.startedAt), this.retentionSeconds);
    return typeof item.expiresAt === "number" ? Math.min(item.expiresAt, payloads) : payloads;
  }

  async commitTransition(runId: string, expectVersion: number, t: RunTransition): Promise<boolean> {
    const encoded = {
      ...t.set,
      ...(t.set.output !== undefined
        ? { output: await this.json.encode(t.set.output, `runs/${runId}/output.json`) }
        : {}),
      ...(t.set.error !== undefined
        ? { error: await this.json.encode(t.set.error, `runs/${runId}/error.json`) }
        : {}),
      // Events to send (invoke payloads, system events) and defer inputs can be large.
      ...(t.set.outbox !== undefined
        ? { outbox: await this.json.encode(t.set.outbox, `runs/${runId}/outbox-${expectVersion + 1}.json`) }
        : {}),
      ...(t.set.defers !== undefined
        ? { defers: await this.json.encode(t.set.defers, `runs/${runId}/defers-${expectVersion + 1}.json`) }
        : {}),
      ...this.transitionExpiry(t),
    };
    const update = {
      TableName: this.tables.runs,
      Key: { pk: `RUN#${runId}`, sk: "RUN" },
      ...transitionUpdate(encoded, t, expectVersion),
    };
    const pauseItems = await pauseWriteItems(this.json, this.tables.pauses, this.paths, t.pauses);
    if (!t.steps?.length && !t.attempts?.length && pauseItems.length === 0) {
      return applied(this.doc.send(new UpdateCommand(update)));
    }
    const attemptPuts = await Promise.all(
      (t.attempts ?? []).map(async (a) => ({
        name: `attempt:${a.version}`,
        item: { Put: { TableName: this.tables.runs, Item: await this.encodeAttempt(a) } },
      })),
    );
    const result = await transactWrite(this.doc, [
      ...(await stepPuts(this.appends, t.steps ?? [])),
      ...attemptPuts,
      ...pauseItems,
      { name: "run", item: { Update: update } },
    ]);
    if (result.ok) return true;
    // A moved version or a pause already consumed is a lost race; a step already stored at this
    // version is corruption.
    if (result.failedConditions.has("run") || result.failedConditions.has("consume")) return false;
    throw new Error(`run ${runId}: step already stored at version ${expectVersion}`);
  }

  /**
   * The expiry a transition sets: the retention once the run ends; a horizon past its latest job
   * when it schedules jobs. Other transitions leave it (reads renew it when it runs short).
   */
  private transitionExpiry(t: RunTransition): { expiresAt?: number } {
    if (t.set.status !== undefined && t.set.status !== "Running") {
      return { expiresAt: endedExpiry(t.set.endedAt ?? t.at, this.retentionSeconds) };
    }
    if (t.set.next !== undefined) {
      return { expiresAt: runningExpiry(lastDueAt(t.set.next, t.at), this.retentionSeconds) };
    }
    return {};
  }

  async appendSteps(runId: string, a: AppendSteps): Promise<AppendResult> {
    return appendSteps(this.appends, runId, a);
  }

  async completeStep(runId: string, c: CompleteStep): Promise<{ run: RunRecord } | "stale" | "full"> {
    return completeStep(this.appends, runId, c);
  }

  /** What the blind appends (runAppends.ts) need of this store. */
  private get appends(): AppendStore {
    return {
      doc: this.doc,
      table: this.tables.runs,
      encodeStep: (s) => this.encodeStep(s),
      decodeRun: (item) => this.decodeRun(item),
      getRun: (id) => this.getRun(id),
    };
  }

  async listRunsForEvent(eventId: string): Promise<RunRecord[]> {
    const index = await queryAll(this.doc, {
      TableName: this.tables.runs,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `EVTRUN#${eventId}` },
    });
    // One BatchGetItem per 100 runs rather than a GetItem per run.
    const keys: Item[] = index.map((i) => ({ pk: `RUN#${String(i.runId)}`, sk: "RUN" }));
    const items = await batchGet(this.doc, this.tables.runs, keys, "run reads", { consistentRead: true });
    return Promise.all(items.map((item) => this.decodeRun(item)));
  }

  async getRunHistory(runId: string): Promise<RunHistory | undefined> {
    const [state, trace] = await Promise.all([
      this.getRunState(runId),
      queryAll(this.doc, {
        TableName: this.tables.runs,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `TRACE#${runId}` },
      }),
    ]);
    if (!state) return undefined;
    const attempts: AttemptRecord[] = [];
    const metadata: RunMetadataRecord[] = [];
    const userlandSpans: UserlandSpan[] = [];
    for (const item of trace) {
      const sk = String(item.sk);
      if (sk.startsWith("ATTEMPT#")) attempts.push(await this.decodeAttempt(item));
      else if (sk.startsWith("META#")) metadata.push(runMetadataRecordSchema.parse({ ...item, runId }));
      else if (sk.startsWith("USPAN#")) userlandSpans.push(userlandSpanSchema.parse({ ...item, runId }));
    }
    return { ...state, attempts, metadata, userlandSpans };
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.tables.runs, Key: { pk: `RUN#${runId}`, sk: `STEP#${stepId}` } }),
    );
    return r.Item ? this.decodeStep(r.Item) : undefined;
  }

  async addUserlandSpans(spans: UserlandSpan[]): Promise<void> {
    await this.batchPut(
      spans.map((s) => ({
        ...s,
        pk: `TRACE#${s.runId}`,
        sk: `USPAN#${s.spanId}`,
        expiresAt: Math.floor(s.endedAt / 1000) + this.retentionSeconds,
      })),
      "userland spans",
    );
  }

  async addMetadata(records: RunMetadataRecord[]): Promise<void> {
    await this.batchPut(
      records.map((r) => ({
        pk: `TRACE#${r.runId}`,
        sk: `META#${r.writeId}`,
        writeId: r.writeId,
        entry: r.entry,
        ...(r.stepId !== undefined ? { stepId: r.stepId } : {}),
        ...(r.attempt !== undefined ? { attempt: r.attempt } : {}),
        ...(r.spanId !== undefined ? { spanId: r.spanId } : {}),
        expiresAt: Math.floor(r.entry.updatedAt / 1000) + this.retentionSeconds,
      })),
      "metadata",
    );
  }

  /** Puts items 25 at a time (BatchWriteItem), retrying unprocessed ones. */
  private batchPut(items: Item[], what: string): Promise<void> {
    const puts = items.map((Item) => ({ PutRequest: { Item } }));
    return batchWrite(this.doc, this.tables.runs, puts, `${what} writes`);
  }

  async listRuns(query: RunQuery, page: PageRequest): Promise<{ runs: RunSummary[]; cursor?: string }> {
    const { items, cursor } = await queryDays(this.doc, this.dayQuery(query), page);
    return { runs: items.map((item) => summarySchema.parse(item)), ...(cursor ? { cursor } : {}) };
  }

  async countRuns(query: RunQuery): Promise<number> {
    return countDays(this.doc, this.dayQuery(query));
  }

  private dayQuery(q: RunQuery): DayQuery {
    checkFilterLists({ functions: q.fnSlugs, apps: q.appIds, statuses: q.statuses });
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const clauses: string[] = [];
    const anyOf = (attr: string, list: readonly string[] | undefined) => {
      if (!list) return;
      names[`#${attr}`] = attr;
      const keys = list.map((v, i) => {
        values[`:${attr}${i}`] = v;
        return `:${attr}${i}`;
      });
      // An empty list matches nothing (as the memory store's includes() does).
      clauses.push(keys.length ? `#${attr} IN (${keys.join(", ")})` : "attribute_not_exists(runId)");
    };
    anyOf("fnSlug", q.fnSlugs);
    anyOf("appId", q.appIds);
    anyOf("status", q.statuses);
    return {
      table: this.tables.runs,
      index: TIME_INDEX,
      prefix: RUNS_DAY_PREFIX,
      sortKey: "startedAt",
      from: Math.max(q.from, q.until - this.retentionSeconds * 1000 - DAY_MS),
      until: q.until,
      order: q.order ?? "desc",
      ...(clauses.length ? { filter: { expression: clauses.join(" AND "), names, values } } : {}),
    };
  }

  private async encodeAttempt(a: AttemptRecord): Promise<Item> {
    return {
      pk: `TRACE#${a.runId}`,
      sk: `ATTEMPT#${String(a.version).padStart(10, "0")}`,
      stepId: a.stepId,
      name: a.name,
      attempt: a.attempt,
      startedAt: a.startedAt,
      endedAt: a.endedAt,
      version: a.version,
      error: await this.json.encode(a.error, `runs/${a.runId}/attempts/${a.version}.json`),
      metadata: a.metadata,
      expiresAt: Math.floor(a.endedAt / 1000) + this.retentionSeconds,
    };
  }

  private async decodeAttempt(item: Item): Promise<AttemptRecord> {
    return attemptRecordSchema.parse({
      ...item,
      runId: String(item.pk).slice("TRACE#".length),
      error: await this.json.decode(item.error),
    });
  }

  async listStalledRuns(
    dueBefore: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ runs: StalledRun[]; cursor?: string }> {
    const runs: StalledRun[] = [];
    let { shard, key } = decodeCursor(page.cursor);
    while (shard < RUN_INDEX_SHARDS && runs.length < page.limit) {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.runs,
          IndexName: ACTIVE_INDEX,
          KeyConditionExpression: "activeShard = :shard AND nextDueAt < :due",
          ExpressionAttributeValues: { ":shard": `ACTIVE#${shard}`, ":due": dueBefore },
          Limit: page.limit - runs.length,
          ExclusiveStartKey: key,
        }),
      );
      for (const item of r.Items ?? []) runs.push(stalledRunSchema.parse(item));
      key = r.LastEvaluatedKey;
      if (!key) shard++;
    }
    const cursor = shard < RUN_INDEX_SHARDS ? encodeCursor({ shard, key }) : undefined;
    return { runs, ...(cursor ? { cursor } : {}) };
  }

  private async encodeRun(run: RunRecord): Promise<Item> {
    const key = (name: string) => `runs/${run.runId}/${name}.json`;
    return {
      pk: `RUN#${run.runId}`,
      sk: "RUN",
      runId: run.runId,
      fnSlug: run.fnSlug,
      appId: run.appId,
      status: run.status,
      eventId: run.eventId,
      // Beside the events (which may be in S3), for the listing index: see RunSummary.
      eventName: run.events[0]?.name,
      events: await this.json.encode(run.events, key("events")),
      startedAt: run.startedAt,
      updatedAt: run.updatedAt,
      endedAt: run.endedAt,
      firstAttemptAt: run.firstAttemptAt,
      listDay: dayPartition(RUNS_DAY_PREFIX, run.startedAt),
      output: await this.json.encode(run.output, key("output")),
      error: await this.json.encode(run.error, key("error")),
      version: run.version,
      requestVersion: run.requestVersion,
      stack: run.stack,
      next: run.next,
      outbox: await this.json.encode(run.outbox, key("outbox-0")),
      pauses: run.pauses,
      defers: await this.json.encode(run.defers, key("defers-0")),
      cancelledBy: run.cancelledBy,
      skipped: run.skipped,
      flow: run.flow,
      carrier: run.carrier,
      stateBytes: run.stateBytes,
      ...activeAttributes(run),
      expiresAt:
        run.status === "Running"
          ? runningExpiry(lastDueAt(run.next, run.updatedAt), this.retentionSeconds)
          : endedExpiry(run.endedAt ?? run.updatedAt, this.retentionSeconds),
    };
  }

  /** Parsed, not cast: a corrupted item fails the job that reads it, which is then retried. */
  private async decodeRun(item: Item): Promise<RunRecord> {
    const run = await this.parseRun(item);
    return { ...run, next: pendingOf(item, run.next) };
  }

  private async parseRun(item: Item): Promise<RunRecord> {
    return runRecordSchema.parse({
      ...item,
      events: (await this.json.decode(item.events)) ?? [],
      output: await this.json.decode(item.output),
      error: storedErrorSchema.optional().parse(await this.json.decode(item.error)),
      outbox: await this.json.decode(item.outbox),
      defers: await this.json.decode(item.defers),
      // Items written before runs had updatedAt.
      updatedAt: item.updatedAt ?? item.startedAt,
    });
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
      startedAt: s.startedAt,
      metadata: s.metadata,
      wait: s.wait,
      expiresAt: runningExpiry(s.at, this.retentionSeconds),
    };
  }

  private async decodeStep(item: Item): Promise<StepRecord> {
    return stepRecordSchema.parse({
      ...item,
      runId: String(item.pk).slice("RUN#".length),
      value: (await this.json.decode(item.value)) ?? null,
    });
  }
}
