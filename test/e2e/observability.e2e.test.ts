/**
 * What the official SDK's own test tooling does against a dev server, done against `tideline dev`:
 * send an event, find its run, poll `run.trace` over GraphQL until it ends, and read the output by
 * its output id. Plus the trace trees of retried, sleeping and parallel functions, and metadata.
 */
import { Inngest } from "inngest";
import { metadataMiddleware } from "inngest/experimental";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlAt, runOfEvent, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";

const app = await devApp(
  "obs",
  (id, baseUrl) => new Inngest({ id, isDev: true, baseUrl, middleware: [metadataMiddleware()] }),
);
const { inngest, ev, send } = app;

interface Span {
  name: string;
  status: string;
  stepID: string | null;
  stepOp: string | null;
  spanID: string;
  outputID: string | null;
  attempts: number | null;
  metadata: { scope: string; kind: string; values: Record<string, unknown>; updatedAt: string }[];
  childrenSpans: Span[];
}

const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
  gqlAt<T>(app.url, query, variables);
const runOf = (eventId: string) => runOfEvent(app.url, eventId);

/** The SDK harness's loop: poll the trace every 400 ms until it ends, then read the output. */
async function runResult(runId: string): Promise<{ status: string; data: string | null; error: unknown }> {
  const trace = await waitFor(
    async () => {
      const data = await gql<{
        run: { status: string; trace: { status: string; outputID: string | null } | null } | null;
      }>(
        "query ($runId: String!) { run(runID: $runId) { status trace(preview: true) { status outputID } } }",
        { runId },
      );
      const t = data.run?.trace;
      return t && ["COMPLETED", "FAILED", "CANCELLED"].includes(t.status) ? t : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 400, what: `run ${runId} to end` },
  );
  if (!trace.outputID) return { status: trace.status, data: null, error: null };
  const out = await gql<{ runTraceSpanOutputByID: { data: string | null; error: unknown } }>(
    "query ($traceID: String!) { runTraceSpanOutputByID(outputID: $traceID) { data error { message name stack cause } } }",
    { traceID: trace.outputID },
  );
  return { status: trace.status, ...out.runTraceSpanOutputByID };
}

const SPAN_FIELDS =
  "name status stepID stepOp spanID outputID attempts metadata { scope kind values updatedAt }";

async function traceOf(runId: string): Promise<Span> {
  const data = await gql<{ run: { trace: Span } }>(
    `fragment F on RunTraceSpan { ${SPAN_FIELDS} }
     query ($runId: String!) { run(runID: $runId) { trace(preview: true) { ...F childrenSpans { ...F childrenSpans { ...F childrenSpans { ...F } } } } } }`,
    { runId },
  );
  return data.run.trace;
}

beforeAll(async () => {
  const attempts = new Map<string, number>();
  const functions = [
    inngest.createFunction({ id: "three", triggers: [{ event: ev("three") }] }, async ({ step }) => {
      const a = await step.run("one", () => 1);
      const b = await step.run("two", () => a + 1);
      const c = await step.run("three", () => b + 1);
      return { sum: a + b + c };
    }),
    inngest.createFunction(
      { id: "broken", retries: 1, triggers: [{ event: ev("broken") }] },
      async ({ attempt }) => {
        const e = new TypeError(`broken on attempt ${attempt}`);
        throw e;
      },
    ),
    inngest.createFunction({ id: "shaky", triggers: [{ event: ev("shaky") }] }, async ({ step, event }) => {
      const key = String(event.id);
      return step.run("flaky step", () => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (n < 3) throw new Error(`flaky failure ${n}`);
        return "steady";
      });
    }),
    inngest.createFunction({ id: "napper", triggers: [{ event: ev("napper") }] }, async ({ step }) => {
      await step.run("before", () => "b");
      await step.sleep("nap", "1s");
      await step.run("after", () => "a");
      return "rested";
    }),
    inngest.createFunction({ id: "parallel", triggers: [{ event: ev("parallel") }] }, async ({ step }) => {
      const [x, y] = await Promise.all([step.run("left", () => "l"), step.run("right", () => "r")]);
      return x + y;
    }),
    inngest.createFunction({ id: "big", triggers: [{ event: ev("big") }] }, async ({ step }) => {
      // Both above the 64 KiB a DynamoDB item keeps inline: stored in S3 behind pointers.
      const part = await step.run("large part", () => "y".repeat(100_000));
      return { size: part.length, tail: "z".repeat(90_000) };
    }),
    inngest.createFunction({ id: "annotated", triggers: [{ event: ev("annotated") }] }, async ({ step }) => {
      await step.metadata("note").set({ quality: 0.9 }, "review");
      return "noted";
    }),
  ];
  await app.start(functions);
}, 120_000);

afterAll(() => app.stop());

describe("runs seen through GraphQL, as the SDK's test tooling reads them", () => {
  it("answers run(runID) with null for a run that does not exist yet", async () => {
    const data = await gql<{ run: unknown }>(
      "query ($runId: String!) { run(runID: $runId) { status trace(preview: true) { status outputID } } }",
      { runId: "01J0000000000000000000000Z" },
    );
    expect(data.run).toBeNull();
  });

  it("finds a completed run's output by the root span's output id", async () => {
    const runId = await runOf(await send("three"));
    const result = await runResult(runId);
    expect(result).toEqual({ status: "COMPLETED", data: JSON.stringify({ sum: 6 }), error: null });
    const trace = await traceOf(runId);
    expect(trace.childrenSpans.map((s) => [s.name, s.status, s.stepOp])).toEqual([
      ["one", "COMPLETED", "RUN"],
      ["two", "COMPLETED", "RUN"],
      ["three", "COMPLETED", "RUN"],
    ]);
  });

  it("reports a failed run's final error, with each attempt of the function as a child span", async () => {
    const runId = await runOf(await send("broken"));
    const result = await runResult(runId);
    expect(result.status).toBe("FAILED");
    expect(result.data).toBeNull();
    expect(result.error).toMatchObject({ name: "TypeError", message: "broken on attempt 1" });
    const trace = await traceOf(runId);
    expect(trace.attempts).toBe(3);
    expect(trace.childrenSpans.map((s) => [s.name, s.status])).toEqual([
      ["Attempt 0", "FAILED"],
      ["Attempt 1", "FAILED"],
    ]);
  });

  it("shows a retried step with its two failed attempts and the one that succeeded", async () => {
    const runId = await runOf(await send("shaky"));
    expect((await runResult(runId)).status).toBe("COMPLETED");
    const [step] = (await traceOf(runId)).childrenSpans;
    expect(step).toMatchObject({ name: "flaky step", status: "COMPLETED", attempts: 3 });
    expect(step?.childrenSpans.map((a) => [a.name, a.status])).toEqual([
      ["Attempt 0", "FAILED"],
      ["Attempt 1", "FAILED"],
      ["Attempt 2", "COMPLETED"],
    ]);
    const firstError = await gql<{ runTraceSpanOutputByID: { error: { message: string } } }>(
      "query ($id: String!) { runTraceSpanOutputByID(outputID: $id) { error { message } } }",
      { id: step?.childrenSpans[0]?.outputID },
    );
    expect(firstError.runTraceSpanOutputByID.error.message).toBe("flaky failure 1");
  });

  it("shows a sleep between two steps as a SLEEP span", async () => {
    const runId = await runOf(await send("napper"));
    expect((await runResult(runId)).status).toBe("COMPLETED");
    const trace = await traceOf(runId);
    expect(trace.childrenSpans.map((s) => [s.name, s.stepOp, s.status])).toEqual([
      ["before", "RUN", "COMPLETED"],
      ["nap", "SLEEP", "COMPLETED"],
      ["after", "RUN", "COMPLETED"],
    ]);
  });

  it("shows both branches of parallel steps", async () => {
    const runId = await runOf(await send("parallel"));
    expect(await runResult(runId)).toMatchObject({ status: "COMPLETED", data: JSON.stringify("lr") });
    const names = (await traceOf(runId)).childrenSpans.map((s) => s.name).sort();
    expect(names).toEqual(["left", "right"]);
  });

  it("reads outputs too large for a DynamoDB item back by output id", async () => {
    const runId = await runOf(await send("big"));
    const result = await runResult(runId);
    expect(result.status).toBe("COMPLETED");
    expect(JSON.parse(String(result.data))).toEqual({ size: 100_000, tail: "z".repeat(90_000) });
    const [part] = (await traceOf(runId)).childrenSpans;
    const out = await gql<{ runTraceSpanOutputByID: { data: string } }>(
      "query ($id: String!) { runTraceSpanOutputByID(outputID: $id) { data } }",
      { id: part?.outputID },
    );
    expect(JSON.parse(out.runTraceSpanOutputByID.data)).toBe("y".repeat(100_000));
  });

  it("returns the event as received by eventV2, meta and idempotency key included", async () => {
    const id = await send("three", { n: 1 });
    const data = await waitFor(
      async () =>
        (
          await gql<{ eventV2: { idempotencyKey: string; name: string; raw: string } | null }>(
            "query Event($id: ULID!) { eventV2(id: $id) { idempotencyKey name raw } }",
            { id },
          )
        ).eventV2,
      { timeoutMs: 20_000, intervalMs: 100, what: "the stored event" },
    );
    expect(data.name).toBe(ev("three"));
    const raw = JSON.parse(data.raw) as { name: string; data: unknown; id: string };
    expect(raw).toMatchObject({ name: ev("three"), data: { n: 1 } });
    expect(data.idempotencyKey).toBe(raw.id);
  });

  it("keeps step metadata and metadata sent through the API on the run's spans", async () => {
    const runId = await runOf(await send("annotated"));
    expect((await runResult(runId)).status).toBe("COMPLETED");
    await inngest.metadata.run(runId).set({ accuracy: 0.75 }, "score");
    const trace = await traceOf(runId);
    const kinds = trace.metadata.map((m) => [m.scope, m.kind, m.values]);
    expect(kinds).toContainEqual(["run", "userland.score", { accuracy: 0.75 }]);
    expect(kinds).toContainEqual(["run", "userland.review", { quality: 0.9 }]);
    expect(trace.childrenSpans.map((s) => s.name)).toEqual(["note"]);
  });
});
