import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { DynamoRunStore } from "../../../shared/adapters/aws/DynamoRunStore.js";
import { LargeJson } from "../../../shared/adapters/aws/largeJson.js";
import { STATE_HORIZON_MS } from "../../../shared/adapters/aws/runExpiry.js";
import { S3BlobStore } from "../../../shared/adapters/aws/S3BlobStore.js";
import { loadConfig, type TidelineConfig } from "../../../shared/config.js";
import type { RunRecord, ScheduledJob, StepRecord } from "../../../shared/domain/schemas.js";
import { makeRun, makeStep, T0 } from "../../fixtures/records.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

/**
 * DynamoDB TTL deletes what it finds expired, so a run that sleeps or waits longer than the
 * retention must never carry an expiry that falls inside its own life (nor must its steps: a
 * memoized step that vanished would run again). These read the raw items' `expiresAt`.
 */
const RETENTION_S = 30 * 86_400;
const DAY_MS = 86_400_000;
const H_S = STATE_HORIZON_MS / 1000;
const s = (ms: number) => Math.ceil(ms / 1000);

let config: TidelineConfig;
let clients: ReturnType<typeof createAwsClients>;
let json: LargeJson;
/** Keys written to the payload bucket (the real S3BlobStore underneath records them). */
const puts: string[] = [];
/** The store as it is at `now`, its payloads through `payloads` (by default the recording one). */
const storeAt = (now: number, payloads: LargeJson = json) =>
  new DynamoRunStore(
    clients.doc,
    { runs: config.tables.runs, flow: config.tables.flow, pauses: config.tables.pauses },
    payloads,
    RETENTION_S,
    () => now,
  );

beforeAll(async () => {
  const env = await testResources("run-expiry");
  config = loadConfig({ ...process.env, ...env });
  clients = createAwsClients();
  const blobs = new S3BlobStore(clients.s3, config.bucket);
  json = new LargeJson({
    put: (key, body) => {
      puts.push(key);
      return blobs.put(key, body);
    },
    get: (key) => blobs.get(key),
  });
});

async function expiryOf(pk: string, sk: string): Promise<number | undefined> {
  const r = await clients.doc.send(new GetCommand({ TableName: config.tables.runs, Key: { pk, sk } }));
  return r.Item?.expiresAt as number | undefined;
}

/** A Running run whose event (70 KiB of `fill`) is stored in the payload bucket. */
function bigEventRun(runId: string, fill: string, overrides: Partial<RunRecord> = {}): RunRecord {
  const run = makeRun({ runId, ...overrides });
  return {
    ...run,
    events: [{ ...run.events[0], data: { big: fill.repeat(70 * 1024) } }] as typeof run.events,
  };
}

/** Stores step `h1` (with `value`) in the run's first transition, at T0. */
const storeStepH1 = (runId: string, value?: StepRecord["value"]) =>
  storeAt(T0).commitTransition(runId, 0, {
    steps: [makeStep(runId, "h1", value)],
    set: { stack: ["h1"], next: [] },
    at: T0,
  });

const job = (runId: string, dueAt?: number): ScheduledJob => ({
  job: { runId, fnSlug: "app-fn", stepId: "step", attempt: 0, version: 1, partition: runId },
  ...(dueAt !== undefined ? { dueAt } : {}),
});

describe("DynamoRunStore expiry", () => {
  it("keeps a new Running run a horizon plus the retention past its latest scheduled job", async () => {
    const runId = `01R${randomSuffix()}`;
    const ts = T0 + 400 * DAY_MS; // an event with a future ts: its first job is due in 400 days
    await storeAt(T0).createRun(makeRun({ runId, next: [job(runId, ts)] }));

    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(ts) + H_S + RETENTION_S);
  });

  it("moves a Running run's expiry past the end of a sleep it schedules, beyond the retention", async () => {
    const runId = `01R${randomSuffix()}`;
    const store = storeAt(T0);
    await store.createRun(makeRun({ runId }));
    const wake = T0 + 200 * DAY_MS;
    await store.commitTransition(runId, 0, { set: { next: [job(runId, wake)] }, at: T0 + 1000 });

    const expiresAt = await expiryOf(`RUN#${runId}`, "RUN");
    expect(expiresAt).toBe(s(wake) + H_S + RETENTION_S);
    expect(expiresAt).toBeGreaterThan(s(wake));
  });

  it("gives an ended run the retention after it ended", async () => {
    const runId = `01R${randomSuffix()}`;
    const store = storeAt(T0);
    await store.createRun(makeRun({ runId }));
    const endedAt = T0 + 90 * DAY_MS;
    await store.commitTransition(runId, 0, {
      set: { status: "Completed", endedAt, next: [], output: null },
      at: endedAt,
    });

    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(endedAt) + RETENTION_S);
  });

  it("writes step results with a horizon past the retention, and the runs-by-event entry too", async () => {
    const runId = `01R${randomSuffix()}`;
    const run = makeRun({ runId });
    await storeAt(T0).createRun(run);
    await storeStepH1(runId);

    expect(await expiryOf(`RUN#${runId}`, "STEP#h1")).toBe(s(T0) + H_S + RETENTION_S);
    expect(await expiryOf(`EVTRUN#${run.eventId}`, runId)).toBe(s(T0) + H_S + RETENTION_S);
  });

  it("renews a Running run and its steps when a read finds them closer to expiry than a horizon", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(makeRun({ runId }));
    await storeStepH1(runId);
    const written = s(T0) + H_S + RETENTION_S;

    // Within the retention of the writes: nothing to renew.
    await storeAt(T0 + 29 * DAY_MS).getRunState(runId);
    expect(await expiryOf(`RUN#${runId}`, "STEP#h1")).toBe(written);

    // The run sleeps past the retention and is read again by its next job: both move a horizon on.
    const later = T0 + 31 * DAY_MS;
    const state = await storeAt(later).getRunState(runId);
    expect(state?.steps.map((st) => st.stepId)).toEqual(["h1"]);
    expect(await expiryOf(`RUN#${runId}`, "STEP#h1")).toBe(s(later) + H_S + RETENTION_S);
    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(later) + H_S + RETENTION_S);
  });

  it("reads a fresh Running run's state with one query and no renewal write (every job reads it)", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(bigEventRun(runId, "z"));
    await storeStepH1(runId, { data: "z".repeat(70 * 1024) });
    awsCalls.reset();

    const state = await storeAt(T0 + DAY_MS).getRunState(runId);

    expect(state?.steps).toHaveLength(1);
    // The payloads of the event and the step are read (GetObject); nothing is written.
    expect(awsCalls.snapshot()).toEqual({ "DynamoDB.Query": 1, "S3.GetObject": 2 });
  });

  it("renews exactly at the boundary: an item due to expire one horizon from now is renewed, one second later is not", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(makeRun({ runId }));
    const written = s(T0) + H_S + RETENTION_S;
    // needsRenewal: expiresAt < ceil((now + H) / 1000). At now = T0 + retention the two are equal.
    await storeAt(T0 + RETENTION_S * 1000).getRunState(runId);
    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(written);
    const justAfter = T0 + RETENTION_S * 1000 + 1000;
    await storeAt(justAfter).getRunState(runId);
    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(justAfter) + H_S + RETENTION_S);
  });

  it("does not renew an ended run or bring back its expiry when read later", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(makeRun({ runId }));
    await storeAt(T0).commitTransition(runId, 0, {
      steps: [makeStep(runId, "h1")],
      set: { status: "Completed", endedAt: T0, next: [], output: null, stack: ["h1"] },
      at: T0,
    });
    await storeAt(T0 + 400 * DAY_MS).getRunState(runId);

    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(T0) + RETENTION_S);
    const items = await clients.doc.send(
      new QueryCommand({
        TableName: config.tables.runs,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `RUN#${runId}` },
      }),
    );
    expect(items.Items?.find((i) => i.sk === "STEP#h1")?.expiresAt).toBe(s(T0) + H_S + RETENTION_S);
  });

  it("keeps the retention of a run that ended while a read was renewing it", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(bigEventRun(runId, "v"));
    const later = T0 + 31 * DAY_MS;
    // The run ends between the read and its renewal write: while its payload is being rewritten.
    const blobs = new S3BlobStore(clients.s3, config.bucket);
    const ending = new LargeJson({
      get: (key) => blobs.get(key),
      put: async (key, body) => {
        await blobs.put(key, body);
        await storeAt(later).commitTransition(runId, 0, {
          set: { status: "Completed", endedAt: later, next: [], output: null },
          at: later,
        });
      },
    });

    await storeAt(later, ending).getRunState(runId);

    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(later) + RETENTION_S);
  });

  it("writes a long-lived run's S3 payloads again when it renews them, so the bucket's lifecycle restarts", async () => {
    const runId = `01R${randomSuffix()}`;
    const big = "x".repeat(70 * 1024);
    await storeAt(T0).createRun(bigEventRun(runId, "x"));
    await storeStepH1(runId, { data: big });
    const mine = () => puts.filter((k) => k.startsWith(`runs/${runId}/`)).sort();
    expect(mine()).toEqual([`runs/${runId}/events.json`, `runs/${runId}/steps/h1.json`]);

    await storeAt(T0 + 29 * DAY_MS).getRunState(runId);
    expect(mine()).toHaveLength(2);

    const later = T0 + 31 * DAY_MS;
    const state = await storeAt(later).getRunState(runId);
    expect(mine()).toEqual([
      `runs/${runId}/events.json`,
      `runs/${runId}/events.json`,
      `runs/${runId}/steps/h1.json`,
      `runs/${runId}/steps/h1.json`,
    ]);
    expect(state?.steps[0]?.value).toEqual({ data: big });
    // Renewed once: a read the next day finds nothing old.
    await storeAt(later + DAY_MS).getRunState(runId);
    expect(mine()).toHaveLength(4);
  });

  it("never shortens an expiry when it renews: a job scheduled further ahead keeps its run", async () => {
    const runId = `01R${randomSuffix()}`;
    const ts = T0 + 400 * DAY_MS; // an event with a future ts: its first job is due in 400 days
    await storeAt(T0).createRun(bigEventRun(runId, "w", { next: [job(runId, ts)] }));
    const events = () => puts.filter((k) => k === `runs/${runId}/events.json`).length;

    // Its payload is older than the retention: the read renews the record, rewriting events.json.
    await storeAt(T0 + 31 * DAY_MS).getRunState(runId);

    expect(events()).toBe(2);
    expect(await expiryOf(`RUN#${runId}`, "RUN")).toBe(s(ts) + H_S + RETENTION_S);
  });

  it("rewrites the run's event payload even when its transitions kept the record itself from expiring", async () => {
    const runId = `01R${randomSuffix()}`;
    await storeAt(T0).createRun(bigEventRun(runId, "y"));
    // A sleep scheduled on day 20 pushes the record's expiry on; its events.json still dates from day 0.
    const day20 = T0 + 20 * DAY_MS;
    await storeAt(day20).commitTransition(runId, 0, {
      set: { next: [job(runId, day20 + DAY_MS)] },
      at: day20,
    });
    const events = () => puts.filter((k) => k === `runs/${runId}/events.json`).length;

    await storeAt(T0 + 31 * DAY_MS).getRunState(runId);
    expect(events()).toBe(2);
  });
});
