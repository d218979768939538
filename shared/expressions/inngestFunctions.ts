/**
 * The functions Inngest adds to CEL (pkg/expressions/exprenv/overloads.go): lowercase, uppercase,
 * b64decode, json_parse, date, now, now_plus, now_minus. cel-go's global `matches(s, re)` is added
 * too because the library only has the method form.
 */

import type { Environment } from "@marcbachmann/cel-js";
import { parseDurationMs, parseIsoInstant } from "../domain/duration.js";

/** Names callers may use, for validation; every other global call is an unknown function. */
export const INNGEST_FUNCTIONS = [
  "lowercase",
  "uppercase",
  "b64decode",
  "json_parse",
  "date",
  "now",
  "now_plus",
  "now_minus",
] as const;

export function registerInngestFunctions(env: Environment): void {
  env
    .registerFunction("lowercase(string): string", (s: string) => s.toLowerCase())
    .registerFunction("uppercase(string): string", (s: string) => s.toUpperCase())
    .registerFunction("b64decode(string): string", (s: string) => Buffer.from(s, "base64").toString("utf8"))
    .registerFunction("json_parse(string): map", jsonParseObject)
    .registerFunction("date(string): google.protobuf.Timestamp", (s: string) =>
      timestampOrThrow(parseDateString(s), s),
    )
    .registerFunction("date(int): google.protobuf.Timestamp", (n: bigint) =>
      timestampOrThrow(parseDateInt(n), n),
    )
    .registerFunction("date(double): google.protobuf.Timestamp", (n: number) =>
      timestampOrThrow(parseDateDouble(n), n),
    )
    .registerFunction("now(): google.protobuf.Timestamp", () => new Date())
    .registerFunction(
      "now_plus(string): google.protobuf.Timestamp",
      (d: string) => new Date(Date.now() + parseDurationMs(d)),
    )
    .registerFunction(
      "now_minus(string): google.protobuf.Timestamp",
      (d: string) => new Date(Date.now() - parseDurationMs(d)),
    )
    .registerFunction("matches(string, string): bool", (s: string, re: string) => new RegExp(re).test(s));
}

/** Go unmarshals into a map and ignores the error, so anything but a JSON object gives `{}`. */
function jsonParseObject(s: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(s);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through: Go keeps the empty map
  }
  return {};
}

function timestampOrThrow(ms: number | undefined, input: unknown): Date {
  if (ms === undefined || !Number.isFinite(ms)) throw new Error(`date(): unrecognised date ${String(input)}`);
  return new Date(ms);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC1123 / RFC1123Z: "Mon, 02 Jan 2006 15:04:05 MST" with GMT/UTC or a numeric offset. */
const RFC1123_RE =
  /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|[+-]\d{4})$/;
/** Go's time.Time String() layout: "2006-01-02 15:04:05.999999999 -0700 MST". */
const GO_STRING_RE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2}) [A-Za-z0-9+-]+$/;

/**
 * Epoch ms of a date string as Inngest's dateutil.ParseString accepts it: RFC3339,
 * "2006-01-02T15:04:05" and "2006-01-02" (UTC), RFC1123(Z) and Go's own time format. Go's rarer
 * layouts (RFC822, RFC850, RubyDate, UnixDate, ANSIC, Stamp) are not recognised.
 */
export function parseDateString(s: string): number | undefined {
  const iso = parseIsoInstant(s);
  if (iso !== undefined) return iso;
  const rfc = RFC1123_RE.exec(s);
  if (rfc) {
    const [, day, mon, year, hh, mm, ss, zone = ""] = rfc;
    const month = MONTHS.indexOf(mon ?? "");
    if (month === -1) return undefined;
    const offset = zone === "GMT" || zone === "UTC" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const ms = Date.parse(`${year}-${String(month + 1).padStart(2, "0")}-${day}T${hh}:${mm}:${ss}${offset}`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const go = GO_STRING_RE.exec(s);
  if (go) return parseIsoInstant(`${go[1]}T${go[2]}${go[3]}:${go[4]}`);
  return undefined;
}

/**
 * dateutil.ParseInt: values before 2000-01-01 in seconds are rejected; below 1e10 they are Unix
 * seconds, below 1e13 milliseconds, above that nanoseconds.
 */
export function parseDateInt(n: bigint): number | undefined {
  if (n < 946_684_800n) return undefined;
  if (n < 9_999_999_999n) return Number(n) * 1000;
  if (n < 9_999_999_999_999n) return Number(n);
  return Number(n / 1_000_000n);
}

/**
 * JSON numbers (event.ts included) are doubles. cel-go's date() only takes int, so this is a
 * deliberate leniency: an integral double is read as the int it holds.
 */
function parseDateDouble(n: number): number | undefined {
  return Number.isInteger(n) ? parseDateInt(BigInt(n)) : undefined;
}
