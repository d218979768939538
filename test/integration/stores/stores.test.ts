import { beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { DynamoEventStore } from "../../../shared/adapters/aws/DynamoEventStore.js";
import { DynamoRegistryStore } from "../../../shared/adapters/aws/DynamoRegistryStore.js";
import { DynamoRunStore } from "../../../shared/adapters/aws/DynamoRunStore.js";
import { LargeJson } from "../../../shared/adapters/aws/largeJson.js";
import { S3BlobStore } from "../../../shared/adapters/aws/S3BlobStore.js";
import { loadConfig } from "../../../shared/config.js";
import type { AppRecord, FunctionRecord, RunRecord } from "../../../shared/domain/schemas.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

let registry: DynamoRegistryStore;
let events: DynamoEventStore;
let runs: DynamoRunStore;
let blobs: S3BlobStore;

beforeAll(async () => {
  const env = await testResources("stores");
  const config = loadConfig({ ...process.env, ...env });
  const clients = createAwsClients();
  blobs = new S3BlobStore(clients.s3, config.bucket);
  const json = new LargeJson(blobs, 1024);
  registry = new DynamoRegistryStore(clients.doc, config.tables.registry);
  events = new DynamoEventStore(clients.doc, config.tables.events, json, 3600);
  runs = new DynamoRunStore(clients.doc, { runs: config.tables.runs, flow: config.tables.flow }, json, 3600);
}, 60_000);

function fn(appId: string, id: string, events: string[]): FunctionRecord {
  return {
    slug: `${appId}-${id}`,
    appId,
    name: id,
    internalId: `uuid-${id}`,
    triggers: events.map((event) => ({ event })),
    url: `http://127.0.0.1:1/api/inngest?fnId=${appId}-${id}&stepId=step`,
    retries: 4,
    config: { id: `${appId}-${id}` },
    updatedAt: 1,
  };
}

function app(appId: string, fns: FunctionRecord[], checksum: string): AppRecord {
  return {
    appId,
    url: "http://x",
    sdk: "js:v4",
    functionSlugs: fns.map((f) => f.slug),
    checksum,
    createdAt: 1,
    updatedAt: 1,
  };
}

function run(runId: string, eventId: string): RunRecord {
  return {
    runId,
    fnSlug: "a-f",
    appId: "a",
    status: "Running",
    eventId,
    events: [{ name: "e", data: { big: "x".repeat(3000) }, id: eventId, ts: 1, user: {} }],
    startedAt: Date.now(),
    updatedAt: Date.now(),
    version: 0,
    requestVersion: -1,
    stack: [],
    next: [],
  };
}

describe("DynamoRegistryStore", () => {
  it("finds functions by exact event name and forgets triggers removed by a re-sync", async () => {
    const appId = `app-${randomSuffix()}`;
    const e1 = `${appId}/one`;
    const e2 = `${appId}/two`;
    const first = [fn(appId, "a", [e1]), fn(appId, "b", [e1, e2])];
    await registry.putAppSync(app(appId, first, "c1"), first);
    expect((await registry.functionsForEvent(e1)).map((f) => f.slug).sort()).toEqual([
      `${appId}-a`,
      `${appId}-b`,
    ]);

    const second = [fn(appId, "b", [e2])];
    await registry.putAppSync(app(appId, second, "c2"), second, await registry.getApp(appId));
    expect(await registry.functionsForEvent(e1)).toEqual([]);
    expect((await registry.functionsForEvent(e2)).map((f) => f.slug)).toEqual([`${appId}-b`]);
    const listed = (await registry.listFunctions()).map((f) => f.slug);
    expect(listed).toContain(`${appId}-b`);
    expect(listed).not.toContain(`${appId}-a`);
    expect((await registry.getApp(appId))?.checksum).toBe("c2");
  });
});

describe("DynamoRunStore", () => {
  it("creates a run once and reports a redelivered creation as existing", async () => {
    const r = run(`01RUN${randomSuffix()}`, `EVT${randomSuffix()}`);
    const key = { key: `k-${randomSuffix()}`, expiresAt: Date.now() + 60_000 };
    expect(await runs.createRun(r, key)).toBe("created");
    expect(await runs.createRun(r, key)).toBe("exists");
    expect((await runs.listRunsForEvent(r.eventId)).map((x) => x.runId)).toEqual([r.runId]);
  });

  it("lists every run an event started", async () => {
    const eventId = `EVT${randomSuffix()}`;
    const ids = [`01H${randomSuffix()}`, `01I${randomSuffix()}`, `01J${randomSuffix()}`];
    for (const id of ids) expect(await runs.createRun(run(id, eventId))).toBe("created");
    expect((await runs.listRunsForEvent(eventId)).map((r) => r.runId).sort()).toEqual([...ids].sort());
    expect(await runs.listRunsForEvent(`EVT${randomSuffix()}`)).toEqual([]);
  });

  it("refuses a second run for an idempotency key that is still held", async () => {
    const key = { key: `k-${randomSuffix()}`, expiresAt: Date.now() + 60_000 };
    expect(await runs.createRun(run(`01A${randomSuffix()}`, "e1"), key)).toBe("created");
    expect(await runs.createRun(run(`01B${randomSuffix()}`, "e2"), key)).toBe("duplicate");
  });

  it("treats an expired idempotency key as free even before TTL deletes it", async () => {
    const key = `k-${randomSuffix()}`;
    expect(
      await runs.createRun(run(`01C${randomSuffix()}`, "e1"), { key, expiresAt: Date.now() - 5_000 }),
    ).toBe("created");
    expect(
      await runs.createRun(run(`01D${randomSuffix()}`, "e2"), { key, expiresAt: Date.now() + 60_000 }),
    ).toBe("created");
  });

  it("commits a transition only at the expected version and never writes a step twice", async () => {
    const r = run(`01E${randomSuffix()}`, "e");
    await runs.createRun(r);
    const step = {
      runId: r.runId,
      stepId: "h1",
      value: { data: { n: "y".repeat(5000) } },
      op: "StepRun",
      attempts: 0,
      at: 1,
    };
    expect(
      await runs.commitTransition(r.runId, 0, {
        steps: [step],
        set: { stack: ["h1"], requestVersion: 2 },
        at: 1,
      }),
    ).toBe(true);
    expect(
      await runs.commitTransition(r.runId, 0, { steps: [step], set: { stack: ["h1", "h1"] }, at: 1 }),
    ).toBe(false);
    const state = await runs.getRunState(r.runId);
    expect(state?.run.version).toBe(1);
    expect(state?.run.stack).toEqual(["h1"]);
    expect(state?.run.requestVersion).toBe(2);
    expect(state?.steps.map((s) => s.value)).toEqual([{ data: { n: "y".repeat(5000) } }]);
    expect(state?.run.events[0]?.data).toEqual({ big: "x".repeat(3000) });
  });

  it("stores the final status and output", async () => {
    const r = run(`01F${randomSuffix()}`, "e");
    await runs.createRun(r);
    expect(
      await runs.commitTransition(r.runId, 0, {
        set: { status: "Completed", output: { ok: true }, endedAt: 5, next: [] },
        at: 5,
      }),
    ).toBe(true);
    expect(await runs.getRun(r.runId)).toMatchObject({
      status: "Completed",
      output: { ok: true },
      endedAt: 5,
      version: 1,
    });
  });
});

describe("DynamoEventStore", () => {
  it("round-trips an event, offloading a large payload to the bucket", async () => {
    const id = `01G${randomSuffix()}`;
    const event = { name: "e", data: { blob: "z".repeat(4000) }, id, ts: 1, user: {} };
    await events.putEvent({ internalId: id, event, receivedAt: Date.now(), runIds: ["r1"] });
    expect(await events.getEvent(id)).toMatchObject({ internalId: id, event, runIds: ["r1"] });
    expect(await blobs.get(`events/${id}.json`)).toBe(JSON.stringify(event));
    expect(await events.getEvent("missing")).toBeUndefined();
  });
});
