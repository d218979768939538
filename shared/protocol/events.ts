/**
 * The Event API body (PROTOCOL 2): one event object or an array, validated like the Go server, and
 * the internal ULIDs. The SDK reuses its `x-inngest-event-id-seed` header across retries, so
 * seeded ids let a retried request reproduce the same ids (and be deduplicated).
 */
import { encodeTime, monotonicFactory, TIME_MAX } from "ulid";
import { encodeEntropy } from "../domain/ids.js";
import type { Json, JsonObject } from "../domain/json.js";
import { isJsonObject, jsonNestingDepth, tryParseJson } from "../domain/json.js";
import type { AcceptedEvent, InngestEvent } from "../domain/schemas.js";
import { LIMITS, RESERVED_EVENT_PREFIX } from "./constants.js";

export type EventPayloadResult =
  | { ok: true; events: AcceptedEvent[] }
  | { ok: false; status: number; error: string };

export const EVENT_BODY_ERROR = "Request body must contain an event object or an array of event objects";

/** Decoded seed header: millis and the 10 entropy bytes (PROTOCOL 2.5). */
export function parseSeedHeader(
  value: string | null | undefined,
): { millis: number; entropy: Buffer } | undefined {
  if (!value) return undefined;
  const parts = value.split(",");
  if (parts.length !== 2) return undefined;
  const [millisText = "", entropyText = ""] = parts;
  if (!/^\+?\d+$/.test(millisText)) return undefined;
  const millis = Number(millisText);
  if (!Number.isSafeInteger(millis) || millis <= 0 || millis > TIME_MAX) return undefined;
  // Standard base64 with padding, as Go's base64.StdEncoding requires.
  if (entropyText.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(entropyText)) return undefined;
  const entropy = Buffer.from(entropyText, "base64");
  if (entropy.length !== 10) return undefined;
  return { millis, entropy };
}

/** The seeded ULID of event `index`: `index` is added (uint32 BE, wrapping) to bytes 6..9. */
function seededUlid(seed: { millis: number; entropy: Buffer }, index: number): string {
  const bytes = Buffer.from(seed.entropy);
  bytes.writeUInt32BE((bytes.readUInt32BE(6) + index) >>> 0, 6);
  return encodeTime(seed.millis, 10) + encodeEntropy(bytes);
}

/** Monotonic so ids minted in the same millisecond still sort in request order. */
const freshUlid = monotonicFactory();

/** Internal ids for `count` events: seeded when the header is valid, else fresh ULIDs. */
export function seededIds(
  seedHeader: string | null | undefined,
  count: number,
  fallbackNowMs: number,
): string[] {
  const seed = parseSeedHeader(seedHeader);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(seed ? seededUlid(seed, i) : freshUlid(fallbackNowMs));
  return ids;
}

type Checked =
  | { ok: true; event: Omit<InngestEvent, "id"> & { id?: string } }
  | { ok: false; status: number; error: string };

function bad(error: string, status = 400): Checked {
  return { ok: false, status, error };
}

/** Validates one event and fills defaults; `id` stays unset when the sender gave none. */
function checkEvent(raw: Json, nowMs: number): Checked {
  if (!isJsonObject(raw)) return bad("event must be an object");
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > LIMITS.eventMaxBytes) {
    return bad(`event is too large: ${size} bytes (max ${LIMITS.eventMaxBytes})`, 413);
  }
  const { name, data, id, ts, user, v, meta } = raw;
  if (name !== undefined && name !== null && typeof name !== "string") {
    return bad("event name must be a string");
  }
  if (!name) return bad("event name is empty");
  if (name.toLowerCase().startsWith(RESERVED_EVENT_PREFIX)) {
    return bad("event name is reserved for internal use");
  }
  if (name.length > LIMITS.eventNameMaxLength) {
    return bad(`event name is too long (max ${LIMITS.eventNameMaxLength} characters)`);
  }
  if (data !== undefined && data !== null && !isJsonObject(data)) return bad("event data must be an object");
  if (user !== undefined && user !== null && !isJsonObject(user)) return bad("event user must be an object");
  if (id !== undefined && id !== null && typeof id !== "string") return bad("event id must be a string");
  if (v !== undefined && v !== null && typeof v !== "string") return bad("event v must be a string");
  if (meta !== undefined && meta !== null && !isJsonObject(meta)) return bad("event meta must be an object");
  if (ts !== undefined && ts !== null && (typeof ts !== "number" || !Number.isInteger(ts))) {
    return bad("event ts must be an integer (milliseconds since the epoch)");
  }
  const when = ts ? ts : nowMs;
  if (when < LIMITS.eventTsMinMs || when >= LIMITS.eventTsMaxMs) {
    return bad("event ts must be between 1980-01-01 and 2100-01-01");
  }
  const cleanData: JsonObject = { ...(data ?? {}) };
  // `_inngest` carries server metadata (invoke correlation…); senders may not forge it.
  delete cleanData._inngest;
  return {
    ok: true,
    event: {
      name,
      data: cleanData,
      ts: when,
      user: user ?? {},
      ...(id ? { id } : {}),
      ...(typeof v === "string" ? { v } : {}),
      ...(isJsonObject(meta) ? withMeta(meta) : {}),
    },
  };
}

/**
 * Event metadata as kept: sessions the sender set, merged over the sessions a run propagated
 * (`propagated_sessions`, which is not kept), where a null session removes an inherited one.
 * Other members are kept as sent.
 */
export function withMeta(meta: JsonObject): { meta?: JsonObject } {
  const { sessions, propagated_sessions: propagated, ...rest } = meta;
  const merged: JsonObject = { ...(isJsonObject(propagated) ? propagated : {}) };
  for (const [key, value] of Object.entries(isJsonObject(sessions) ? sessions : {})) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const out: JsonObject = { ...rest, ...(Object.keys(merged).length ? { sessions: merged } : {}) };
  return Object.keys(out).length ? { meta: out } : {};
}

/**
 * Parses and validates an Event API body. The first invalid event rejects the whole request
 * (as in Go); array errors are prefixed `events[i]: `.
 */
export function parseEventPayload(
  rawBody: string,
  opts: { nowMs: number; seedHeader?: string | null },
): EventPayloadResult {
  if (Buffer.byteLength(rawBody) > LIMITS.eventAbsoluteMaxBytes) {
    return {
      ok: false,
      status: 413,
      error: `Request body is too large (max ${LIMITS.eventAbsoluteMaxBytes} bytes)`,
    };
  }
  // Counted on the text, before anything recursive touches the body (an array adds one level).
  const depth = jsonNestingDepth(rawBody) - (rawBody.trimStart().startsWith("[") ? 1 : 0);
  if (depth > LIMITS.eventMaxDepth) {
    return {
      ok: false,
      status: 400,
      error: `event nests ${depth} levels deep (objects and arrays); the limit is ${LIMITS.eventMaxDepth}`,
    };
  }
  const parsed = tryParseJson(rawBody);
  if (!parsed.ok || !(Array.isArray(parsed.value) || isJsonObject(parsed.value))) {
    return { ok: false, status: 400, error: EVENT_BODY_ERROR };
  }
  const isArray = Array.isArray(parsed.value);
  const items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (items.length === 0) return { ok: false, status: 400, error: EVENT_BODY_ERROR };
  if (items.length > LIMITS.maxEventsPerRequest) {
    return {
      ok: false,
      status: 400,
      error: `Too many events in one request: ${items.length} (max ${LIMITS.maxEventsPerRequest})`,
    };
  }

  const checked: Array<Omit<InngestEvent, "id"> & { id?: string }> = [];
  for (const [i, item] of items.entries()) {
    const result = checkEvent(item, opts.nowMs);
    if (!result.ok) return { ...result, error: isArray ? `events[${i}]: ${result.error}` : result.error };
    checked.push(result.event);
  }

  const ids = seededIds(opts.seedHeader, checked.length, opts.nowMs);
  return {
    ok: true,
    events: checked.map((event, i) => {
      const internalId = ids[i] ?? "";
      return { internalId, event: { ...event, id: event.id ?? internalId }, receivedAt: opts.nowMs };
    }),
  };
}
