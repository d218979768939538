/** The one poison-safe parser for queue, stream and request bodies. */
import type { z } from "zod";
import { jsonNestingDepth, tryParseJson } from "./json.js";

/**
 * Deepest nesting any message may have. Event payloads are refused beyond a smaller depth at the
 * Event API (LIMITS.eventMaxDepth); this bound only protects the consumers' recursive parsers.
 */
export const MESSAGE_MAX_DEPTH = 512;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses a message or request body; an error for a body that can never be processed (poison).
 * It never throws: bad JSON, a wrong shape, nesting too deep for the stack and any exception of
 * the schema itself all come back as `{ ok: false }`.
 */
export function parseMessage<T>(schema: z.ZodType<T>, body: string): ParseResult<T> {
  try {
    const depth = jsonNestingDepth(body);
    if (depth > MESSAGE_MAX_DEPTH) {
      return { ok: false, error: `body nests ${depth} levels deep (max ${MESSAGE_MAX_DEPTH})` };
    }
    const json = tryParseJson(body);
    if (!json.ok) return { ok: false, error: "body is not JSON" };
    const parsed = schema.safeParse(json.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.message };
  } catch (err) {
    return { ok: false, error: `body cannot be parsed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
