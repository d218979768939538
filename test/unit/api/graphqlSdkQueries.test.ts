/**
 * The queries the official SDK's test tooling sends to `/v0/gql`, verbatim (1 of 2): run status
 * and trace, and span outputs. graphqlSdkTraceQueries.test.ts has the event and metadata queries.
 */
import { describe, expect, it } from "vitest";
import { makeRun, T0 } from "../../fixtures/records.js";
import { newId, started, step, useGqlHarness } from "./graphqlHarness.js";

const RUN_STATUS = `query ($runId: String!) { run(runID: $runId) { status trace(preview: true) { status outputID } } }`;
const SPAN_OUTPUT = `query ($traceID: String!) { runTraceSpanOutputByID(outputID: $traceID) { data error { message name stack cause } } }`;

const h = useGqlHarness();
const { gql, runWith } = h;

describe("SDK test tooling: run status and trace", () => {
  it("answers run null until the run exists, then QUEUED before its first request", async () => {
    const runId = newId(T0);
    expect(await gql(RUN_STATUS, { runId })).toEqual({ data: { run: null } });
    await h.ports.runs.createRun(makeRun({ runId, startedAt: T0 }));
    expect(await gql(RUN_STATUS, { runId })).toEqual({
      data: { run: { status: "QUEUED", trace: { status: "QUEUED", outputID: null } } },
    });
  });

  it("answers run null for an id that is not a ULID", async () => {
    expect(await gql(RUN_STATUS, { runId: "not-a-run" })).toEqual({ data: { run: null } });
  });

  it("shows a started run as RUNNING and a completed one with the root output id", async () => {
    const run = await runWith(() => [started]);
    expect(await gql(RUN_STATUS, { runId: run.runId })).toEqual({
      data: { run: { status: "RUNNING", trace: { status: "RUNNING", outputID: null } } },
    });
    await h.ports.runs.commitTransition(run.runId, 1, {
      set: { status: "Completed", endedAt: T0 + 50, output: { sum: 42 } },
      at: T0 + 50,
    });
    expect(await gql(RUN_STATUS, { runId: run.runId })).toEqual({
      data: { run: { status: "COMPLETED", trace: { status: "COMPLETED", outputID: `run:${run.runId}` } } },
    });
  });

  it("shows a cancelled run as CANCELLED", async () => {
    const run = await runWith(() => [{ set: { status: "Cancelled", endedAt: T0 + 5 }, at: T0 + 5 }]);
    expect(await gql(RUN_STATUS, { runId: run.runId })).toEqual({
      data: { run: { status: "CANCELLED", trace: { status: "CANCELLED", outputID: null } } },
    });
  });

  it("shows a step sleeping past now as WAITING with its wake time", async () => {
    const wake = T0 + 60_000;
    const run = await runWith((runId) => [
      started,
      {
        steps: [step(runId, "nap-hash", { name: "nap", op: "Sleep", value: null, at: wake })],
        set: {},
        at: T0 + 20,
      },
    ]);
    const query = `query ($runId: String!) { run(runID: $runId) { status trace(preview: true) { status childrenSpans {
      name status stepOp endedAt stepInfo { __typename ... on SleepStepInfo { sleepUntil } } } } } }`;
    expect(await gql(query, { runId: run.runId })).toEqual({
      data: {
        run: {
          status: "RUNNING",
          trace: {
            status: "RUNNING",
            childrenSpans: [
              {
                name: "nap",
                status: "WAITING",
                stepOp: "SLEEP",
                endedAt: null,
                stepInfo: { __typename: "SleepStepInfo", sleepUntil: new Date(wake).toISOString() },
              },
            ],
          },
        },
      },
    });
  });
});

describe("SDK test tooling: span outputs", () => {
  it("gives the JSON text of a completed run's return value by the root output id", async () => {
    const output = { sum: 42, list: [1, "a"] };
    const run = await runWith(() => [
      started,
      { set: { status: "Completed", endedAt: T0 + 50, output }, at: T0 + 50 },
    ]);
    expect(await gql(SPAN_OUTPUT, { traceID: `run:${run.runId}` })).toEqual({
      data: { runTraceSpanOutputByID: { data: JSON.stringify(output), error: null } },
    });
  });

  it("gives the final error of a failed run, whose retried step shows every attempt", async () => {
    const error = {
      name: "TypeError",
      message: "boom",
      stack: "TypeError: boom\n    at fn",
      cause: { code: 7 },
    };
    const run = await runWith((runId) => [
      started,
      {
        attempts: [
          {
            runId,
            stepId: "flaky-hash",
            name: "flaky",
            attempt: 0,
            startedAt: T0 + 20,
            endedAt: T0 + 25,
            error,
            version: 1,
          },
        ],
        set: {},
        at: T0 + 25,
      },
      {
        steps: [
          step(runId, "flaky-hash", {
            name: "flaky",
            value: { error },
            attempts: 1,
            startedAt: T0 + 40,
            at: T0 + 45,
          }),
        ],
        set: { status: "Failed", endedAt: T0 + 50, error },
        at: T0 + 50,
      },
    ]);
    expect(await gql(RUN_STATUS, { runId: run.runId })).toEqual({
      data: { run: { status: "FAILED", trace: { status: "FAILED", outputID: `run:${run.runId}` } } },
    });
    expect(await gql(SPAN_OUTPUT, { traceID: `run:${run.runId}` })).toEqual({
      data: {
        runTraceSpanOutputByID: {
          data: null,
          error: { message: "boom", name: "TypeError", stack: error.stack, cause: { code: 7 } },
        },
      },
    });

    const trace = await gql(
      `query ($runId: String!) { run(runID: $runId) { trace { childrenSpans {
        name status attempts outputID stepInfo { ... on RunStepInfo { type } } childrenSpans { name status } } } } }`,
      { runId: run.runId },
    );
    expect(trace).toEqual({
      data: {
        run: {
          trace: {
            childrenSpans: [
              {
                name: "flaky",
                status: "FAILED",
                attempts: 2,
                outputID: `step:${run.runId}:flaky-hash`,
                stepInfo: { type: null },
                childrenSpans: [
                  { name: "Attempt 0", status: "FAILED" },
                  { name: "Attempt 1", status: "FAILED" },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it("gives a step's data by the step's output id", async () => {
    const run = await runWith((runId) => [
      started,
      { steps: [step(runId, "add-hash", { name: "add", value: { data: [1, 2] } })], set: {}, at: T0 + 30 },
    ]);
    expect(await gql(SPAN_OUTPUT, { traceID: `step:${run.runId}:add-hash` })).toEqual({
      data: { runTraceSpanOutputByID: { data: "[1,2]", error: null } },
    });
  });

  it("answers an output id that names nothing with an error and null data", async () => {
    const missing = `run:${newId(T0)}`;
    expect(await gql(SPAN_OUTPUT, { traceID: missing })).toEqual({
      data: null,
      errors: [
        expect.objectContaining({ message: `output ${missing} not found`, path: ["runTraceSpanOutputByID"] }),
      ],
    });
  });
});
