/**
 * The queries the official SDK's test tooling sends to `/v0/gql`, verbatim (2 of 2): events by id
 * and trace metadata through fragments and a named operation.
 */
import { describe, expect, it } from "vitest";
import type { MetadataEntry, RunRecord } from "../../../shared/domain/schemas.js";
import { T0 } from "../../fixtures/records.js";
import { newId, started, step, useGqlHarness } from "./graphqlHarness.js";

const EVENT = `query Event($id: ULID!) { eventV2(id: $id) { idempotencyKey name raw } }`;
const TRACE_METADATA = `fragment TraceMetadataFields on RunTraceSpan { name stepID spanID metadata { scope kind values updatedAt } } query ($runId: String!) { run(runID: $runId) { trace(preview: true) { ...TraceMetadataFields childrenSpans { ...TraceMetadataFields childrenSpans { ...TraceMetadataFields } } } } }`;
const CHILD_METADATA = `query Query($runID: String!, $preview: Boolean) { run(runID: $runID) { trace(preview: $preview) { childrenSpans { metadata { scope kind values } name } } } }`;

const h = useGqlHarness();
const { gql, runWith } = h;

describe("SDK test tooling: events", () => {
  it("gives an event's idempotency key, name and raw JSON by its internal id", async () => {
    const internalId = newId(T0);
    const event = {
      name: "test/event",
      data: { n: 1 },
      id: "user-key-1",
      ts: T0 - 5,
      user: { u: true },
      v: "2024-01-01.1",
    };
    await h.ports.events.putEvent({ internalId, event, receivedAt: T0, runIds: [] });
    const body = await gql(EVENT, { id: internalId }, "Event");
    expect(body).toEqual({
      data: { eventV2: { idempotencyKey: "user-key-1", name: "test/event", raw: JSON.stringify(event) } },
    });
  });
});

describe("SDK test tooling: trace metadata", () => {
  const entry = (over: Partial<MetadataEntry>): MetadataEntry => ({
    kind: "userland.scores",
    scope: "step",
    op: "merge",
    values: { accuracy: 0.9 },
    updatedAt: T0 + 30,
    ...over,
  });

  async function runWithMetadata(): Promise<RunRecord> {
    return runWith((runId) => [
      started,
      {
        steps: [
          step(runId, "a-hash", {
            name: "first step",
            startedAt: T0 + 20,
            at: T0 + 30,
            metadata: [entry({})],
          }),
          step(runId, "b-hash", {
            name: "second step",
            startedAt: T0 + 40,
            at: T0 + 50,
            metadata: [entry({ values: { n: 1 } }), entry({ values: { m: 2 }, updatedAt: T0 + 51 })],
          }),
        ],
        set: { stack: ["a-hash", "b-hash"] },
        at: T0 + 50,
      },
      { set: { status: "Completed", endedAt: T0 + 60, output: null }, at: T0 + 60 },
    ]);
  }

  it("answers the fragment query with child spans named after the steps and their metadata", async () => {
    const run = await runWithMetadata();
    const body = await gql(TRACE_METADATA, { runId: run.runId });
    expect(body).toEqual({
      data: {
        run: {
          trace: {
            name: "My function",
            stepID: null,
            spanID: run.runId,
            metadata: [],
            childrenSpans: [
              {
                name: "first step",
                stepID: "a-hash",
                spanID: expect.any(String),
                metadata: [
                  {
                    scope: "step",
                    kind: "userland.scores",
                    values: { accuracy: 0.9 },
                    updatedAt: new Date(T0 + 30).toISOString(),
                  },
                ],
                childrenSpans: [
                  { name: "Attempt 0", stepID: "a-hash", spanID: expect.any(String), metadata: [] },
                ],
              },
              {
                name: "second step",
                stepID: "b-hash",
                spanID: expect.any(String),
                metadata: [
                  {
                    scope: "step",
                    kind: "userland.scores",
                    values: { n: 1, m: 2 },
                    updatedAt: new Date(T0 + 51).toISOString(),
                  },
                ],
                childrenSpans: [
                  { name: "Attempt 0", stepID: "b-hash", spanID: expect.any(String), metadata: [] },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it("answers the named operation with a Boolean preview variable", async () => {
    const run = await runWithMetadata();
    const body = await gql(CHILD_METADATA, { runID: run.runId, preview: true }, "Query");
    expect(body).toEqual({
      data: {
        run: {
          trace: {
            childrenSpans: [
              {
                name: "first step",
                metadata: [{ scope: "step", kind: "userland.scores", values: { accuracy: 0.9 } }],
              },
              {
                name: "second step",
                metadata: [{ scope: "step", kind: "userland.scores", values: { n: 1, m: 2 } }],
              },
            ],
          },
        },
      },
    });
  });
});
