/** JSON value types and small helpers shared by every layer. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.parse that reports failure instead of throwing. */
export function tryParseJson(text: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false };
  }
}

/**
 * Coerces any value to JSON the way JSON.stringify would (undefined → null, Dates → strings,
 * functions dropped); values that cannot be serialised (cycles, BigInt, nesting too deep for the
 * stack) become their String().
 */
export function toJson(value: unknown): Json {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch {
    return String(value);
  }
}

/**
 * Deepest nesting of arrays and objects in a JSON text, counted without parsing (so without
 * recursion): `1` is 0, `{}` is 1, `{"a":[1]}` is 2. Brackets inside strings do not count. Used to
 * refuse documents whose depth would overflow the stack of the recursive code that handles JSON
 * later (JSON.stringify, canonicalisation, schema parsers).
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Bytes of a value's JSON text (undefined counts as null): how output and state limits are measured. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
}
