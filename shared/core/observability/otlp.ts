/**
 * `POST /v1/traces/userland`: spans the app's own OpenTelemetry instrumentation produced inside a
 * run, exported by the SDK's tracing middleware as OTLP/HTTP JSON (the exporter's default). The
 * SDK stamps each span with its run (`sdk.run.id`) and step (`inngest.step.hash`, `.attempt`);
 * spans are kept with the run and shown under their step in the trace.
 */
import * as z from "zod";
import { ValidationError } from "../../domain/errors.js";
import type { Json, JsonObject } from "../../domain/json.js";
import { parseMessage } from "../../domain/messages.js";
import type { UserlandSpan } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";

/** Largest stored span (attributes included); bigger ones are rejected, not truncated. */
export const USERLAND_SPAN_MAX_BYTES = 64 * 1024;
/** Most spans accepted per request. */
export const USERLAND_SPANS_MAX = 1000;

const ATTR = { runId: "sdk.run.id", stepHash: "inngest.step.hash", stepAttempt: "inngest.step.attempt" };
const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
const STATUSES = ["UNSET", "OK", "ERROR"] as const;

const nano = z.union([z.string().regex(/^\d+$/), z.number().nonnegative()]);
const keyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const spanSchema = z.object({
  traceId: z.string().default(""),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional(),
  name: z.string().default(""),
  kind: z.union([z.number().int(), z.string()]).optional(),
  startTimeUnixNano: nano,
  endTimeUnixNano: nano,
  attributes: z.array(keyValue).default([]),
  status: z
    .object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() })
    .optional(),
});
const requestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(keyValue).default([]) }).optional(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
              spans: z.array(spanSchema).default([]),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});

/** The `values` list of an OTLP arrayValue or kvlistValue. */
function listOf(v: unknown): unknown[] {
  return typeof v === "object" && v !== null && "values" in v && Array.isArray(v.values) ? v.values : [];
}

/** An OTLP AnyValue as plain JSON (ints may arrive as strings: 64-bit in JSON). */
function anyValue(v: unknown): Json {
  if (typeof v !== "object" || v === null) return null;
  if ("stringValue" in v) return typeof v.stringValue === "string" ? v.stringValue : null;
  if ("boolValue" in v) return v.boolValue === true;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return typeof v.bytesValue === "string" ? v.bytesValue : null;
  if ("arrayValue" in v) return listOf(v.arrayValue).map(anyValue);
  if ("kvlistValue" in v) return attributes(z.array(keyValue).catch([]).parse(listOf(v.kvlistValue)));
  return null;
}

function attributes(kvs: z.infer<typeof keyValue>[]): JsonObject {
  const out: JsonObject = {};
  for (const kv of kvs) out[kv.key] = anyValue(kv.value);
  return out;
}

/** An OTLP enum sent as a number or a name (with its prefix), as one of `names`; unknown = the first. */
function enumName<N extends string>(
  names: readonly [N, ...N[]],
  value: number | string | undefined,
  prefix: string,
): N {
  const name = typeof value === "number" ? names[value] : names.find((n) => n === value?.replace(prefix, ""));
  return name ?? names[0];
}

/** Nanoseconds (a decimal string: beyond a double's exact range) to epoch ms. */
const ms = (n: string | number) =>
  typeof n === "string" ? Number(BigInt(n) / 1_000_000n) : Math.floor(n / 1e6);

/** Parses an OTLP JSON export into spans by run; spans with no run id are counted as rejected. */
export function parseOtlpJson(body: string): { spans: UserlandSpan[]; rejected: number } {
  const parsed = parseMessage(requestSchema, body);
  if (!parsed.ok) throw new ValidationError(`invalid OTLP JSON trace export: ${parsed.error}`);
  const spans: UserlandSpan[] = [];
  let rejected = 0;
  for (const rs of parsed.value.resourceSpans) {
    const resourceAttributes = attributes(rs.resource?.attributes ?? []);
    const service = resourceAttributes["service.name"];
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const attrs = attributes(s.attributes);
        const runId = attrs[ATTR.runId];
        if (typeof runId !== "string" || runId === "") {
          rejected++;
          continue;
        }
        const stepHash = attrs[ATTR.stepHash];
        const attempt = attrs[ATTR.stepAttempt];
        const span: UserlandSpan = {
          runId,
          spanId: s.spanId,
          traceId: s.traceId,
          ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          ...(typeof stepHash === "string" ? { stepId: stepHash } : {}),
          ...(typeof attempt === "number" && Number.isInteger(attempt) && attempt >= 0 ? { attempt } : {}),
          name: s.name,
          kind: enumName(KINDS, s.kind, "SPAN_KIND_"),
          ...(typeof service === "string" ? { serviceName: service } : {}),
          ...(ss.scope?.name ? { scopeName: ss.scope.name } : {}),
          ...(ss.scope?.version ? { scopeVersion: ss.scope.version } : {}),
          startedAt: ms(s.startTimeUnixNano),
          endedAt: ms(s.endTimeUnixNano),
          status: enumName(STATUSES, s.status?.code, "STATUS_CODE_"),
          ...(s.status?.message ? { statusMessage: s.status.message } : {}),
          attributes: attrs,
          resourceAttributes,
        };
        if (Buffer.byteLength(JSON.stringify(span), "utf8") > USERLAND_SPAN_MAX_BYTES) rejected++;
        else spans.push(span);
      }
    }
  }
  return { spans, rejected };
}

/**
 * Keeps the spans of runs that exist; answers as an OTLP/HTTP collector does: `{}` when all were
 * kept, else `partialSuccess` with the number rejected and why.
 */
export async function recordUserlandSpans(deps: { runs: RunStore }, body: string): Promise<Json> {
  const { spans, rejected: unparented } = parseOtlpJson(body);
  if (spans.length + unparented > USERLAND_SPANS_MAX) {
    throw new ValidationError(`at most ${USERLAND_SPANS_MAX} spans per export`, 413);
  }
  const runIds = [...new Set(spans.map((s) => s.runId))];
  const known = new Set<string>();
  await Promise.all(
    runIds.map(async (id) => {
      if (await deps.runs.getRun(id)) known.add(id);
    }),
  );
  const kept = spans.filter((s) => known.has(s.runId));
  if (kept.length) await deps.runs.addUserlandSpans(kept);
  const rejected = unparented + spans.length - kept.length;
  if (rejected === 0) return {};
  return {
    partialSuccess: {
      rejectedSpans: rejected,
      errorMessage: "spans without a known run (sdk.run.id), or larger than 64 KiB, were not kept",
    },
  };
}
