/**
 * Interpreting the app's HTTP answer to an execution request (PROTOCOL 5, 5.8, 5.10). Pure: the
 * engine decides retries and state changes from the SdkOutcome this returns.
 */
import * as z from "zod";
import type { Json } from "../domain/json.js";
import { isJsonObject, jsonNestingDepth, toJson, tryParseJson } from "../domain/json.js";
import type { StoredError } from "../domain/schemas.js";
import { parseRetryAfter } from "./backoff.js";
import { HEADERS, LIMITS, OPCODES, RUN_COMPLETE_ID } from "./constants.js";

export type StepOp = {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown>;
  data?: unknown;
  error?: unknown;
  userland?: { id: string; index?: number };
  timing?: unknown;
  /** Metadata the SDK attached to the step (`step.metadata`, AI usage), kept on its span. */
  metadata?: OpMetadata[];
};

export interface OpMetadata {
  kind: string;
  scope: "run" | "step" | "step_attempt" | "extended_trace";
  op: "set" | "merge";
  values: Record<string, unknown>;
}

const opMetadataSchema = z.object({
  kind: z.string().min(1).max(256),
  scope: z.enum(["run", "step", "step_attempt", "extended_trace"]).catch("step"),
  op: z.enum(["set", "merge"]).catch("set"),
  values: z.record(z.string(), z.unknown()),
});

export type SdkOutcome =
  /** 200, or 206 containing RunComplete (data = its data; `ops` = other ops sent with it). */
  | {
      kind: "complete";
      data: Json;
      ops?: StepOp[];
      requestVersion?: number;
      /** Ended by a RunComplete op (206): how a checkpointing SDK finishes (PROTOCOL 6.1). */
      byOp?: true;
    }
  /** 206 ops (RunComplete excluded), WaitForEvent and lazy ops first. */
  | { kind: "ops"; ops: StepOp[]; requestVersion?: number; retriable?: boolean; retryAt?: number }
  /**
   * 4xx/5xx from the SDK, or a 206 whose StepError/StepFailed carries the RunComplete id: the
   * function itself threw while lazy ops (defers, in `ops`) were pending.
   */
  | {
      kind: "error";
      retriable: boolean;
      error: StoredError;
      retryAt?: number;
      requestVersion?: number;
      ops?: StepOp[];
    }
  /** Not from the SDK (no x-inngest-sdk header) or unparseable. */
  | { kind: "transport"; message: string };

export interface SdkHttpResponse {
  status: number;
  headers: Headers | Record<string, string>;
  body: string;
}

/** Each optional field falls back to "absent" when malformed: unknown junk never fails a run. */
export const stepOpSchema = z.object({
  id: z.string(),
  op: z.string().min(1),
  name: z.string().optional().catch(undefined),
  displayName: z.string().optional().catch(undefined),
  opts: z.record(z.string(), z.unknown()).optional().catch(undefined),
  data: z.unknown().optional(),
  error: z.unknown().optional(),
  userland: z
    .object({ id: z.string(), index: z.number().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  timing: z.unknown().optional(),
  metadata: z.array(opMetadataSchema).max(100).optional().catch(undefined),
});

/** Ops handled before the rest of an answer (PROTOCOL 5.3): a wait's pause must exist first. */
const FIRST_OPS = new Set<string>([OPCODES.waitForEvent, OPCODES.deferAdd, OPCODES.deferAbort]);

function getHeader(headers: Headers | Record<string, string>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

function headersToRecord(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [key, value] of entries) out[key.toLowerCase()] = value;
  return out;
}

function snippet(body: string): string {
  const text = body.trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function messageFrom(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return undefined;
  if (isJsonObject(value) && typeof value.message === "string") return value.message;
  return JSON.stringify(toJson(value));
}

/**
 * A StoredError from whatever the SDK (or a user) produced (PROTOCOL 5.4): `name` defaults to
 * "Error"; `message` falls back to `error`, then "Unknown error". Other keys (stack, cause, code,
 * __serialized…) are kept so the SDK can rebuild the error faithfully.
 */
export function toStoredError(value: unknown): StoredError {
  if (value instanceof Error) {
    const out: StoredError = { name: value.name || "Error", message: value.message || "Unknown error" };
    if (value.stack) out.stack = value.stack;
    if (value.cause !== undefined) out.cause = toJson(value.cause);
    return out;
  }
  if (value === undefined || value === null) return { name: "Error", message: "Unknown error" };
  if (typeof value === "string") return { name: "Error", message: value || "Unknown error" };
  const json = toJson(value);
  if (!isJsonObject(json)) return { name: "Error", message: JSON.stringify(json) };
  const name = typeof json.name === "string" && json.name !== "" ? json.name : "Error";
  const message = messageFrom(json.message) ?? messageFrom(json.error) ?? "Unknown error";
  const out: StoredError = { ...json, name, message };
  if (out.stack !== undefined && typeof out.stack !== "string") delete out.stack;
  return out;
}

function parseOps(value: Json): StepOp[] | string {
  const items = Array.isArray(value) ? value : [value];
  const ops: StepOp[] = [];
  for (const [i, item] of items.entries()) {
    const parsed = stepOpSchema.safeParse(item);
    if (!parsed.success) return `op ${i} is invalid: ${parsed.error.issues[0]?.message ?? "bad shape"}`;
    const op: StepOp = { id: parsed.data.id, op: parsed.data.op };
    for (const key of ["name", "displayName", "opts", "userland", "metadata"] as const) {
      if (parsed.data[key] !== undefined) Object.assign(op, { [key]: parsed.data[key] });
    }
    // data/error/timing are kept when the key is present, even as null (StepPlanned sends data: null).
    for (const key of ["data", "error", "timing"] as const) {
      if (isJsonObject(item) && key in item) op[key] = parsed.data[key];
    }
    ops.push(op);
  }
  return ops;
}

/** WaitForEvent and the lazy defer ops first, then the rest in the SDK's order. */
function orderOps(ops: StepOp[]): StepOp[] {
  return [...ops.filter((op) => FIRST_OPS.has(op.op)), ...ops.filter((op) => !FIRST_OPS.has(op.op))];
}

function requestVersionOf(headers: Headers | Record<string, string>): { requestVersion?: number } {
  const raw = getHeader(headers, HEADERS.reqVersion)?.trim();
  if (!raw || !/^-?\d+$/.test(raw)) return {};
  return { requestVersion: Number(raw) };
}

function interpretOps(res: SdkHttpResponse, nowMs: number): SdkOutcome {
  const parsed = tryParseJson(res.body);
  if (!parsed.ok) {
    return { kind: "transport", message: `SDK answered 206 with invalid JSON: ${snippet(res.body)}` };
  }
  if (!Array.isArray(parsed.value) && !isJsonObject(parsed.value)) {
    return { kind: "transport", message: "SDK answered 206 without an op array" };
  }
  const all = parseOps(parsed.value);
  if (typeof all === "string") {
    return { kind: "transport", message: `SDK answered 206 with a bad op: ${all}` };
  }
  const version = requestVersionOf(res.headers);
  const active = orderOps(all);
  const complete = active.find((op) => op.op === OPCODES.runComplete);
  const rest = active.filter((op) => op.op !== OPCODES.runComplete);
  if (complete) {
    return {
      kind: "complete",
      data: toJson(complete.data ?? null),
      ...(rest.length ? { ops: rest } : {}),
      ...version,
      byOp: true,
    };
  }
  const retriable = getHeader(res.headers, HEADERS.noRetry)?.trim().toLowerCase() !== "true";
  // A StepError from RetryAfterError carries its retry time on the 206 itself.
  const retryAt = parseRetryAfter(getHeader(res.headers, HEADERS.retryAfter), nowMs);
  const thrown = rest.find(
    (op) => op.id === RUN_COMPLETE_ID && (op.op === OPCODES.stepError || op.op === OPCODES.stepFailed),
  );
  if (thrown) {
    const others = rest.filter((op) => op !== thrown);
    return {
      kind: "error",
      retriable: retriable && thrown.op === OPCODES.stepError,
      error: toStoredError(thrown.error),
      ...(retryAt !== undefined ? { retryAt } : {}),
      ...version,
      ...(others.length ? { ops: others } : {}),
    };
  }
  return { kind: "ops", ops: rest, ...version, retriable, ...(retryAt !== undefined ? { retryAt } : {}) };
}

function interpretError(res: SdkHttpResponse, nowMs: number): SdkOutcome {
  const retriable = getHeader(res.headers, HEADERS.noRetry)?.trim().toLowerCase() !== "true";
  const parsed = tryParseJson(res.body);
  let error: StoredError;
  if (!parsed.ok) error = toStoredError(res.body.trim() || `HTTP ${res.status}`);
  else error = toStoredError(parsed.value);
  const retryAt = parseRetryAfter(getHeader(res.headers, HEADERS.retryAfter), nowMs);
  return {
    kind: "error",
    retriable,
    error,
    ...(retryAt !== undefined ? { retryAt } : {}),
    ...requestVersionOf(res.headers),
  };
}

/**
 * 201 keep-alive envelope: whitespace, then `{"status","headers","body"}` where body is the real
 * body as a JSON string. Outer headers (x-inngest-sdk…) are merged under the inner ones.
 */
function unwrapStream(res: SdkHttpResponse): SdkHttpResponse | string {
  const parsed = tryParseJson(res.body.trimStart());
  if (!parsed.ok || !isJsonObject(parsed.value)) return "SDK streaming response (201) is not a JSON envelope";
  const { status, headers, body } = parsed.value;
  if (typeof status !== "number" || status === 201) return "SDK streaming envelope has no valid status";
  const inner: Record<string, string> = headersToRecord(res.headers);
  if (isJsonObject(headers)) {
    for (const [key, value] of Object.entries(headers)) {
      if (typeof value === "string") inner[key.toLowerCase()] = value;
    }
  }
  const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
  return { status, headers: inner, body: text };
}

export function interpretSdkResponse(res: SdkHttpResponse, nowMs: number): SdkOutcome {
  let current = res;
  if (current.status === 201) {
    const unwrapped = unwrapStream(current);
    if (typeof unwrapped === "string") return { kind: "transport", message: unwrapped };
    current = unwrapped;
  }
  if (getHeader(current.headers, HEADERS.sdk) === undefined) {
    const tail = current.status >= 300 && current.body.trim() ? `: ${snippet(current.body)}` : "";
    return {
      kind: "transport",
      message: `HTTP ${current.status} response did not come from an Inngest SDK (no ${HEADERS.sdk} header)${tail}`,
    };
  }
  const depth = jsonNestingDepth(current.body);
  if (depth > LIMITS.sdkResponseMaxDepth) {
    // Outputs are signed (canonicalised, recursively) into every later request: refuse them now.
    // An error answer keeps its retry headers; only its body is replaced by the reason.
    const message = `SDK answer nests ${depth} levels deep (objects and arrays); the limit is ${LIMITS.sdkResponseMaxDepth}`;
    if (current.status >= 400)
      return interpretError({ ...current, body: JSON.stringify({ message }) }, nowMs);
    return {
      kind: "error",
      retriable: false,
      error: { name: "Error", message },
      ...requestVersionOf(current.headers),
    };
  }
  if (current.status === 200) {
    // An empty body is how some adapters send `undefined`; the SDKs mean null.
    if (current.body.trim() === "") {
      return { kind: "complete", data: null, ...requestVersionOf(current.headers) };
    }
    const parsed = tryParseJson(current.body);
    if (!parsed.ok) {
      return { kind: "transport", message: `SDK answered 200 with invalid JSON: ${snippet(current.body)}` };
    }
    return { kind: "complete", data: parsed.value, ...requestVersionOf(current.headers) };
  }
  if (current.status === 206) return interpretOps(current, nowMs);
  if (current.status >= 400) return interpretError(current, nowMs);
  return { kind: "transport", message: `SDK answered with unexpected HTTP status ${current.status}` };
}
