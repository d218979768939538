/**
 * Go's `fmt` `%v` for CEL values. Inngest turns key expressions into strings with
 * `fmt.Sprintf("%v", value)` and concatenates mixed-type `+` operands with `"%v%v"`, so keys and
 * concatenations must print numbers, lists and maps exactly as Go would ("1e+06", "[a b]",
 * "map[k:v]").
 */

import { Duration, UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { isUnknown } from "./unknown.js";

/**
 * `top` distinguishes a CEL null result (Go prints its protobuf enum name, "NULL_VALUE") from a
 * nil inside JSON data (Go prints "<nil>").
 */
export function formatGoValue(value: unknown, top = true): string {
  if (value === null || value === undefined || isUnknown(value)) return top ? "NULL_VALUE" : "<nil>";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatGoFloat(value);
    case "bigint":
    case "boolean":
      return String(value);
    case "object":
      return formatGoObject(value);
    default:
      return String(value);
  }
}

function formatGoObject(value: object): string {
  if (value instanceof UnsignedInt) return String(value.valueOf());
  if (value instanceof Uint8Array) return `[${Array.from(value).join(" ")}]`;
  if (value instanceof Date) return formatGoTime(value);
  if (value instanceof Duration)
    return formatGoDuration(value.seconds * 1_000_000_000n + BigInt(value.nanos));
  if (Array.isArray(value) || value instanceof Set) {
    return `[${Array.from(value, (v: unknown) => formatGoValue(v, false)).join(" ")}]`;
  }
  const entries: Array<[string, unknown]> =
    value instanceof Map
      ? Array.from(value, ([k, v]: [unknown, unknown]) => [formatGoValue(k, false), v])
      : Object.entries(value);
  if (value instanceof Map || value.constructor === Object || value.constructor === undefined) {
    // Go's fmt sorts map keys.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${formatGoValue(v, false)}`).join(" ")}]`;
  }
  return String(value);
}

/** `%v` of a float64: `%g` with the shortest digits, exponent form below 1e-4 and from 1e+06. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mantissa = "", expText = "0"] = f.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  // In this range JS prints the same shortest digits without an exponent.
  return String(f);
}

/** time.Time's String() layout, in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC". */
function formatGoTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return "<invalid time>";
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${ms}` : ""} +0000 UTC`;
}

const NS_PER = { s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** time.Duration's String(): "1h0m0s", "1.5s", "250ms", "0s". */
export function formatGoDuration(totalNs: bigint): string {
  if (totalNs === 0n) return "0s";
  const negative = totalNs < 0n;
  let rest = negative ? -totalNs : totalNs;
  let out: string;
  if (rest < NS_PER.s) {
    const [unit, size] = rest < 1000n ? ["ns", 1n] : rest < 1_000_000n ? ["µs", 1000n] : ["ms", 1_000_000n];
    out = `${fixedPoint(rest, size)}${unit}`;
  } else {
    const hours = rest / NS_PER.h;
    rest %= NS_PER.h;
    const minutes = rest / NS_PER.m;
    rest %= NS_PER.m;
    const prefix = hours > 0n ? `${hours}h${minutes}m` : minutes > 0n ? `${minutes}m` : "";
    out = `${prefix}${fixedPoint(rest, NS_PER.s)}s`;
  }
  return negative ? `-${out}` : out;
}

function fixedPoint(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const frac = value % unit;
  if (frac === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
}
