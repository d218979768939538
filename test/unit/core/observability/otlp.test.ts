import { describe, expect, it } from "vitest";
import { MemoryRunStore } from "../../../../shared/adapters/memory/index.js";
import {
  parseOtlpJson,
  recordUserlandSpans,
  USERLAND_SPAN_MAX_BYTES,
} from "../../../../shared/core/observability/otlp.js";
import { buildTrace } from "../../../../shared/core/observability/trace.js";
import { makeRun, T0 } from "../../../fixtures/records.js";

const str = (v: string) => ({ stringValue: v });

/** An export shaped as @opentelemetry/exporter-trace-otlp-http sends it (JSON, hex ids). */
function exportOf(
  spans: {
    runId?: string;
    spanId: string;
    parent?: string;
    step?: string;
    attempt?: number;
    name: string;
    error?: boolean;
  }[],
) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: str("shop") }] },
        scopeSpans: [
          {
            scope: { name: "@opentelemetry/instrumentation-openai", version: "1.2.3" },
            spans: spans.map((s) => ({
              traceId: "5b8efff798038103d269b633813fc60c",
              spanId: s.spanId,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: s.name,
              kind: 3,
              startTimeUnixNano: `${T0 + 10}000000`,
              endTimeUnixNano: `${T0 + 30}000123`,
              attributes: [
                ...(s.runId ? [{ key: "sdk.run.id", value: str(s.runId) }] : []),
                ...(s.step ? [{ key: "inngest.step.hash", value: str(s.step) }] : []),
                ...(s.attempt !== undefined
                  ? [{ key: "inngest.step.attempt", value: { intValue: String(s.attempt) } }]
                  : []),
                { key: "gen_ai.usage.input_tokens", value: { intValue: 18 } },
                { key: "tags", value: { arrayValue: { values: [str("a"), { boolValue: true }] } } },
              ],
              status: { code: s.error ? 2 : 1 },
            })),
          },
        ],
      },
    ],
  });
}

describe("OTLP userland spans", () => {
  it("reads spans with their run, step, attempt, timing, kind, status and attributes", () => {
    const { spans, rejected } = parseOtlpJson(
      exportOf([
        { runId: "01RUN", spanId: "aaaa", step: "h1", attempt: 0, name: "openai.chat", error: true },
      ]),
    );
    expect(rejected).toBe(0);
    expect(spans).toEqual([
      expect.objectContaining({
        runId: "01RUN",
        spanId: "aaaa",
        stepId: "h1",
        attempt: 0,
        name: "openai.chat",
        kind: "CLIENT",
        status: "ERROR",
        serviceName: "shop",
        scopeName: "@opentelemetry/instrumentation-openai",
        startedAt: T0 + 10,
        endedAt: T0 + 30,
      }),
    ]);
    expect(spans[0]?.attributes).toMatchObject({ "gen_ai.usage.input_tokens": 18, tags: ["a", true] });
  });

  it("rejects a body that is not an OTLP JSON export with a 400", () => {
    expect(() => parseOtlpJson("not json")).toThrow(/invalid OTLP JSON/);
    expect(() =>
      parseOtlpJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{}] }] }] })),
    ).toThrow(/invalid OTLP JSON/);
  });

  it("keeps spans of known runs and reports the others as rejected, like an OTLP collector", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun();
    await runs.createRun(run);
    const answer = await recordUserlandSpans(
      { runs },
      exportOf([
        { runId: run.runId, spanId: "a1", name: "kept" },
        { runId: makeRun().runId, spanId: "a2", name: "unknown run" },
        { spanId: "a3", name: "no run" },
      ]),
    );
    expect(answer).toMatchObject({ partialSuccess: { rejectedSpans: 2 } });
    expect((await runs.getRunHistory(run.runId))?.userlandSpans.map((s) => s.name)).toEqual(["kept"]);
    expect(
      await recordUserlandSpans({ runs }, exportOf([{ runId: run.runId, spanId: "a4", name: "ok" }])),
    ).toEqual({});
  });

  it("places the app's spans under the attempt of their step, nested by parent span", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun({ firstAttemptAt: T0 });
    await runs.createRun(run);
    await runs.commitTransition(run.runId, 0, {
      steps: [
        {
          runId: run.runId,
          stepId: "h1",
          value: { data: 1 },
          name: "ask",
          op: "StepRun",
          attempts: 0,
          at: T0 + 50,
          startedAt: T0,
        },
      ],
      set: {},
      at: T0 + 50,
    });
    await recordUserlandSpans(
      { runs },
      exportOf([
        { runId: run.runId, spanId: "w1", step: "h1", attempt: 0, name: "wrapper" },
        { runId: run.runId, spanId: "c1", parent: "w1", step: "h1", attempt: 0, name: "llm call" },
        { runId: run.runId, spanId: "o1", name: "outside any step" },
      ]),
    );
    const history = await runs.getRunHistory(run.runId);
    if (!history) throw new Error("no history");
    const trace = buildTrace(history, { now: T0 + 100 });
    const ask = trace.children.find((c) => c.name === "ask");
    const attempt = ask?.children[0];
    expect(attempt?.children.map((c) => c.name)).toEqual(["wrapper"]);
    expect(attempt?.children[0]?.children.map((c) => [c.name, c.userland?.spanKind])).toEqual([
      ["llm call", "CLIENT"],
    ]);
    expect(trace.children.map((c) => c.name)).toContain("outside any step");
  });

  it("takes up to 1,000 spans per export and refuses more with a 413", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun();
    await runs.createRun(run);
    const many = (n: number) =>
      exportOf(Array.from({ length: n }, (_, i) => ({ runId: run.runId, spanId: `s${i}`, name: "n" })));
    expect(await recordUserlandSpans({ runs }, many(1000))).toEqual({});
    await expect(recordUserlandSpans({ runs }, many(1001))).rejects.toMatchObject({ status: 413 });
  });

  it("keeps a span of exactly 64 KiB and rejects one byte more", async () => {
    const withBlob = (size: number) => {
      const body = JSON.parse(exportOf([{ runId: "01RUN", spanId: "s", name: "n" }]));
      body.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({
        key: "blob",
        value: { stringValue: "x".repeat(size) },
      });
      return JSON.stringify(body);
    };
    // The stored span's size for a blob of 0 characters, then the blob that makes it exactly the limit.
    const [bare] = parseOtlpJson(withBlob(0)).spans;
    const fill = USERLAND_SPAN_MAX_BYTES - Buffer.byteLength(JSON.stringify(bare));
    expect(parseOtlpJson(withBlob(fill))).toMatchObject({ rejected: 0, spans: [{ spanId: "s" }] });
    expect(parseOtlpJson(withBlob(fill + 1))).toMatchObject({ rejected: 1, spans: [] });
  });

  it("rejects a span larger than 64 KiB and keeps the others", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun();
    await runs.createRun(run);
    const body = JSON.parse(
      exportOf([
        { runId: run.runId, spanId: "big", name: "big" },
        { runId: run.runId, spanId: "ok", name: "ok" },
      ]),
    );
    body.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({
      key: "blob",
      value: { stringValue: "x".repeat(64 * 1024) },
    });
    expect(await recordUserlandSpans({ runs }, JSON.stringify(body))).toMatchObject({
      partialSuccess: { rejectedSpans: 1 },
    });
    expect((await runs.getRunHistory(run.runId))?.userlandSpans.map((s) => s.name)).toEqual(["ok"]);
  });
});
