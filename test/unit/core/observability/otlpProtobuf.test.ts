import { context, SpanKind, trace } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { MemoryRunStore } from "../../../../shared/adapters/memory/index.js";
import { parseOtlpJson, recordUserlandSpans } from "../../../../shared/core/observability/otlp.js";
import { otlpProtobufToJson } from "../../../../shared/core/observability/otlpProtobuf.js";
import { makeRun } from "../../../fixtures/records.js";

/** Real spans from the OpenTelemetry SDK, encoded by the official OTLP protobuf serializer. */
function exportedProtobuf(runId: string): {
  bytes: Uint8Array;
  traceId: string;
  parentId: string;
  childId: string;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("proto-test", "2.0.0");
  let ids = { traceId: "", parentId: "", childId: "" };
  tracer.startActiveSpan("parent", (parent) => {
    const child = tracer.startSpan(
      "child",
      { kind: SpanKind.SERVER, attributes: { "sdk.run.id": runId } },
      trace.setSpan(context.active(), parent),
    );
    child.setAttributes({
      "inngest.step.hash": "h1",
      "inngest.step.attempt": 1,
      ratio: 0.5,
      ok: true,
      tags: ["a", "b"],
    });
    child.setStatus({ code: 2, message: "boom" });
    child.end();
    parent.setAttribute("sdk.run.id", runId);
    parent.end();
    ids = {
      traceId: parent.spanContext().traceId,
      parentId: parent.spanContext().spanId,
      childId: child.spanContext().spanId,
    };
  });
  const bytes = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  if (!bytes) throw new Error("the serializer gave nothing");
  return { bytes, ...ids };
}

describe("OTLP protobuf exports", () => {
  it("decodes the official serializer's bytes into the same spans as the JSON encoding", () => {
    const { bytes, traceId, parentId, childId } = exportedProtobuf("01RUN");
    const { spans, rejected } = parseOtlpJson(otlpProtobufToJson(bytes));
    expect(rejected).toBe(0);
    const child = spans.find((s) => s.name === "child");
    const parent = spans.find((s) => s.name === "parent");
    expect(child).toMatchObject({
      runId: "01RUN",
      spanId: childId,
      traceId,
      parentSpanId: parentId,
      stepId: "h1",
      attempt: 1,
      kind: "SERVER",
      status: "ERROR",
      statusMessage: "boom",
      scopeName: "proto-test",
      scopeVersion: "2.0.0",
    });
    expect(child?.attributes).toMatchObject({ ratio: 0.5, ok: true, tags: ["a", "b"] });
    expect(child?.endedAt).toBeGreaterThanOrEqual(child?.startedAt ?? Number.POSITIVE_INFINITY);
    expect(Math.abs((child?.startedAt ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(parent?.parentSpanId).toBeUndefined();
  });

  it("refuses bytes that are not an OTLP export with a 400", () => {
    expect(() => otlpProtobufToJson(Buffer.from([0x0a, 0xff, 0xff]))).toThrow(/invalid OTLP protobuf/);
  });

  it("keeps decoded spans with their run", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun();
    await runs.createRun(run);
    const { bytes } = exportedProtobuf(run.runId);
    expect(await recordUserlandSpans({ runs }, otlpProtobufToJson(bytes))).toEqual({});
    expect((await runs.getRunHistory(run.runId))?.userlandSpans.map((s) => s.name).sort()).toEqual([
      "child",
      "parent",
    ]);
  });
});
