/**
 * The SDK's tracing middleware (extendedTracesMiddleware) exports the app's own OpenTelemetry
 * spans to `/v1/traces/userland`; they appear in the run's trace under the step they ran in.
 */
import { trace } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Inngest } from "inngest";
import { extendedTracesMiddleware } from "inngest/experimental";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { gqlAt, randomSuffix, runOfEvent, waitFor } from "../helpers/index.js";
import { serveOnDev } from "./serveApp.js";

// The SDK batches spans; export them every 100 ms rather than every 5 s.
process.env.OTEL_BSP_SCHEDULE_DELAY = "100";

let runtime: Awaited<ReturnType<typeof serveOnDev>>;
let inngest: Inngest;
let event: string;

interface Span {
  name: string;
  isUserland: boolean;
  userlandSpan: { spanName: string; spanKind: string; scopeName: string | null; spanAttrs: unknown } | null;
  childrenSpans: Span[];
}

const gql = <T>(query: string, variables: Record<string, unknown>) => gqlAt<T>(runtime.url, query, variables);

beforeAll(async () => {
  const suffix = randomSuffix();
  const port = await freePort();
  event = `otel-${suffix}/ask`;
  inngest = new Inngest({
    id: `otel-${suffix}`,
    isDev: true,
    baseUrl: `http://127.0.0.1:${port}`,
    middleware: [extendedTracesMiddleware()],
  });
  const fn = inngest.createFunction({ id: "ask", triggers: [{ event }] }, async ({ step }) => {
    return step.run("ask model", () =>
      trace.getTracer("e2e-instrumentation", "1.0.0").startActiveSpan("llm call", (span) => {
        span.setAttributes({
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "tiny",
          "gen_ai.response.model": "tiny-2026",
          "gen_ai.provider.name": "openai",
          "gen_ai.usage.input_tokens": 18,
          "gen_ai.usage.output_tokens": 39,
        });
        span.end();
        return "answered";
      }),
    );
  });
  runtime = await serveOnDev({ client: inngest, functions: [fn], port, prefix: `e2e-otel-${suffix}` });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe("userland spans from the SDK's tracing middleware", () => {
  it("shows the app's span under the step it ran in", async () => {
    const { ids } = await inngest.send({ name: event, data: {} });
    const runId = await runOfEvent(runtime.url, ids[0] ?? "");
    const F = "name isUserland userlandSpan { spanName spanKind scopeName spanAttrs }";
    const found = await waitFor(
      async () => {
        const data = await gql<{ run: { trace: Span } }>(
          `query ($id: String!) { run(runID: $id) { trace(preview: true) { ${F} childrenSpans { ${F} childrenSpans { ${F} childrenSpans { ${F} } } } } } }`,
          { id: runId },
        );
        const all: Span[] = [];
        const walk = (s: Span) => {
          all.push(s);
          s.childrenSpans?.forEach(walk);
        };
        // Under the step once its result is stored (the export may arrive before that).
        const step = data.run.trace.childrenSpans.find((s) => s.name === "ask model");
        if (step) walk(step);
        return all.find((s) => s.isUserland && s.name === "llm call");
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "the exported span under its step" },
    );
    expect(found.userlandSpan).toMatchObject({ spanName: "llm call", scopeName: "e2e-instrumentation" });
    const attrs = JSON.parse(String(found.userlandSpan?.spanAttrs)) as Record<string, unknown>;
    expect(attrs).toMatchObject({
      "gen_ai.request.model": "tiny",
      "sdk.run.id": runId,
      "inngest.step.id": "ask model",
    });
  });

  it("takes an OTLP protobuf export through the HTTP API (a binary body)", async () => {
    const { ids } = await inngest.send({ name: event, data: {} });
    const runId = await runOfEvent(runtime.url, ids[0] ?? "");
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = provider
      .getTracer("proto-e2e")
      .startSpan("from protobuf", { attributes: { "sdk.run.id": runId } });
    span.end();
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
    const res = await fetch(`${runtime.url}/v1/traces/userland`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: body ? Buffer.from(body) : null,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const names = await gql<{ run: { trace: { childrenSpans: { name: string; isUserland: boolean }[] } } }>(
      "query ($id: String!) { run(runID: $id) { trace { childrenSpans { name isUserland } } } }",
      { id: runId },
    );
    expect(names.run.trace.childrenSpans).toContainEqual({ name: "from protobuf", isUserland: true });
  });
});
