/** One run's fields: FunctionRunV2, runTrace, runTrigger and the older functionRun. */
import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it } from "vitest";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import { stableUuid } from "../../../shared/domain/ids.js";
import type { Json } from "../../../shared/domain/json.js";
import type { RunRecord } from "../../../shared/domain/schemas.js";
import { makeApp, makeEvent, makeFunction, makeRun, makeStep, T0 } from "../../fixtures/records.js";

const newId = monotonicFactory();
let ports: MemoryPorts<ManualClock>;
const iso = (ms: number) => new Date(ms).toISOString();

async function gql(query: string, variables: Record<string, Json> = {}) {
  const res = await handleGraphql(ports, JSON.stringify({ query, variables }));
  expect(res.status).toBe(200);
  return res.body;
}

async function completedRun(over: Partial<RunRecord> = {}): Promise<RunRecord> {
  const run = makeRun({
    runId: newId(T0),
    startedAt: T0,
    fnSlug: "app-fn",
    appId: "app",
    events: [makeEvent({ name: "test/event", id: "k1", ts: T0 - 10, data: { a: 1 } })],
    ...over,
  });
  await ports.runs.createRun(run);
  await ports.runs.commitTransition(run.runId, 0, {
    steps: [{ ...makeStep(run.runId, "s1"), name: "fetch", startedAt: T0 + 20, at: T0 + 30 }],
    set: {
      firstAttemptAt: T0 + 10,
      stack: ["s1"],
      status: "Completed",
      endedAt: T0 + 40,
      output: { ok: true },
    },
    at: T0 + 40,
  });
  return run;
}

beforeEach(async () => {
  ports = memoryPorts();
  ports.clock.set(T0 + 1000);
  const fn = makeFunction("app", "fn", ["test/event"], {
    name: "My function",
    internalId: stableUuid("fn:app-fn"),
  });
  await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
});

describe("run", () => {
  it("shows a completed run's fields in Inngest's shapes", async () => {
    const run = await completedRun();
    const body = await gql(
      `query ($id: String!) { run(runID: $id) { id appID functionID traceID queuedAt startedAt endedAt status
        sourceID triggerIDs eventName isBatch cronSchedule output hasAI isDeferred defers { runID }
        function { slug } app { externalID } } }`,
      { id: run.runId.toLowerCase() },
    );
    expect(body).toEqual({
      data: {
        run: {
          id: run.runId,
          appID: stableUuid("app:app"),
          functionID: stableUuid("fn:app-fn"),
          traceID: run.runId,
          queuedAt: iso(T0),
          startedAt: iso(T0 + 10),
          endedAt: iso(T0 + 40),
          status: "COMPLETED",
          sourceID: null,
          triggerIDs: [run.eventId],
          eventName: "test/event",
          isBatch: false,
          cronSchedule: null,
          output: '{"ok":true}',
          hasAI: false,
          isDeferred: false,
          defers: [],
          function: { slug: "app-fn" },
          app: { externalID: "app" },
        },
      },
    });
  });

  it("shows the root and step spans with times, durations and step info", async () => {
    const run = await completedRun();
    const body = await gql(
      `query ($id: String!) { runTrace(runID: $id) { name status isRoot spanID parentSpanID queuedAt startedAt endedAt
        duration attempts stepType stepOp appID functionID runID isUserland userlandSpan { spanName } debugPaused response { statusCode }
        run { id status }
        childrenSpans { name status isRoot parentSpanID stepID stepOp stepType duration outputID
          stepInfo { __typename ... on RunStepInfo { type } } parentSpan { spanID } } } }`,
      { id: run.runId },
    );
    expect(body).toEqual({
      data: {
        runTrace: {
          name: "My function",
          status: "COMPLETED",
          isRoot: true,
          spanID: run.runId,
          parentSpanID: null,
          queuedAt: iso(T0),
          startedAt: iso(T0 + 10),
          endedAt: iso(T0 + 40),
          duration: 30,
          attempts: 1,
          stepType: "RUN",
          stepOp: null,
          appID: stableUuid("app:app"),
          functionID: stableUuid("fn:app-fn"),
          runID: run.runId,
          isUserland: false,
          userlandSpan: null,
          debugPaused: false,
          response: null,
          run: { id: run.runId, status: "COMPLETED" },
          childrenSpans: [
            {
              name: "fetch",
              status: "COMPLETED",
              isRoot: false,
              parentSpanID: run.runId,
              stepID: "s1",
              stepOp: "RUN",
              stepType: "StepRun",
              duration: 10,
              outputID: `step:${run.runId}:s1`,
              stepInfo: { __typename: "RunStepInfo", type: null },
              parentSpan: { spanID: run.runId },
            },
          ],
        },
      },
    });
  });

  it("shows the app's own OTLP spans as userland spans", async () => {
    const run = await completedRun();
    await ports.runs.addUserlandSpans([
      {
        runId: run.runId,
        spanId: "ab12",
        traceId: "t1",
        stepId: "s1",
        attempt: 0,
        name: "db.query",
        kind: "CLIENT",
        serviceName: "svc",
        startedAt: T0 + 22,
        endedAt: T0 + 25,
        status: "OK",
        attributes: { "db.system": "postgres" },
        resourceAttributes: { "service.name": "svc" },
      },
    ]);
    const body = await gql(
      `query ($id: String!) { runTrace(runID: $id) { ...S childrenSpans { ...S childrenSpans { ...S childrenSpans { ...S } } } } }
      fragment S on RunTraceSpan { name isUserland userlandSpan { spanName spanKind serviceName scopeName spanAttrs resourceAttrs } }`,
      { id: run.runId },
    );
    const userland: Json[] = [];
    const walk = (value: Json): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === "object") {
        if (value.isUserland === true && value.userlandSpan !== undefined) userland.push(value.userlandSpan);
        Object.values(value).forEach(walk);
      }
    };
    walk(body);
    expect(userland).toEqual([
      {
        spanName: "db.query",
        spanKind: "CLIENT",
        serviceName: "svc",
        scopeName: null,
        spanAttrs: JSON.stringify({ "db.system": "postgres" }),
        resourceAttrs: JSON.stringify({ "service.name": "svc" }),
      },
    ]);
  });

  it("shows the trigger: event name, ids, payloads and time", async () => {
    const run = await completedRun();
    const body = await gql(
      `query ($id: String!) { runTrigger(runID: $id) { eventName IDs payloads timestamp isBatch batchID cron } }`,
      { id: run.runId },
    );
    expect(body).toEqual({
      data: {
        runTrigger: {
          eventName: "test/event",
          IDs: [run.eventId],
          payloads: [JSON.stringify(run.events[0])],
          timestamp: iso(T0 - 10),
          isBatch: false,
          batchID: null,
          cron: null,
        },
      },
    });
  });

  it("shows a cron run's schedule and a batch as a batch", async () => {
    const cron = await completedRun({
      events: [makeEvent({ name: "inngest/scheduled.timer", data: { cron: "*/5 * * * *" } })],
    });
    const batch = await completedRun({ events: [makeEvent(), makeEvent()] });
    const query = `query ($id: String!) { run(runID: $id) { cronSchedule isBatch } }`;
    expect(await gql(query, { id: cron.runId })).toEqual({
      data: { run: { cronSchedule: "*/5 * * * *", isBatch: false } },
    });
    expect(await gql(query, { id: batch.runId })).toEqual({
      data: { run: { cronSchedule: null, isBatch: true } },
    });
  });

  it("still shows a run whose function is no longer registered", async () => {
    const run = await completedRun({ fnSlug: "app-gone" });
    const body = await gql(
      `query ($id: String!) { run(runID: $id) { function { slug name } trace { name } } }`,
      {
        id: run.runId,
      },
    );
    expect(body).toEqual({
      data: { run: { function: { slug: "app-gone", name: "app-gone" }, trace: { name: "app-gone" } } },
    });
  });

  it("answers the older functionRun with the run's output and finish time, or null", async () => {
    const run = await completedRun();
    const query = `query ($id: ID!) { functionRun(query: { functionRunId: $id }) { id status startedAt finishedAt output eventID } }`;
    expect(await gql(query, { id: run.runId })).toEqual({
      data: {
        functionRun: {
          id: run.runId,
          status: "COMPLETED",
          startedAt: iso(T0 + 10),
          finishedAt: iso(T0 + 40),
          output: '{"ok":true}',
          eventID: run.eventId,
        },
      },
    });
    expect(await gql(query, { id: newId(T0) })).toEqual({ data: { functionRun: null } });
  });
});
