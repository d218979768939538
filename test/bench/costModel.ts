/**
 * The benchmarks' cost arithmetic: the prices and the usage model live in
 * shared/core/observability/awsCost.ts (the API prices each run with them too); this module adds
 * what only the benchmarks need. Unit tested in test/unit/bench/costModel.test.ts.
 */
import { type Cost, costOf, type Prices, US_EAST_1 } from "../../shared/core/observability/awsCost.js";
import type { Usage } from "../../shared/domain/awsUsage.js";

export { type Cost, costOf, type Prices, US_EAST_1 } from "../../shared/core/observability/awsCost.js";
export {
  addUsage,
  estimatedUnits,
  gbSeconds,
  kinesisPutUnits,
  NO_USAGE,
  type Usage,
} from "../../shared/domain/awsUsage.js";

const M = 1_000_000;

/** Dollars per 1M steps, when `usage` ran `steps` steps. */
export function costPerMillionSteps(usage: Usage, steps: number, prices: Prices = US_EAST_1): Cost {
  if (steps <= 0) throw new Error("steps must be positive");
  const perRun = costOf(usage, prices);
  const scale = M / steps;
  return Object.fromEntries(Object.entries(perRun).map(([k, v]) => [k, v * scale])) as unknown as Cost;
}

/** A DynamoDB attribute value in the wire format (`{ "S": "..." }`, `{ "M": { ... } }`, ...). */
export type WireValue = Record<string, unknown>;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");
/** Bytes of a number as DynamoDB sizes it: about one byte per two significant digits, plus one. */
const numberBytes = (n: string) =>
  Math.ceil(n.replace(/^[-+]?0*|[.eE].*$/g, "").replace(/\./g, "").length / 2) + 1;
/** Bytes of binary data: as the SDK returns it, or sent as base64 on the wire. */
function binaryBytes(b: unknown): number {
  if (b instanceof Uint8Array) return b.byteLength;
  if (typeof b !== "string") return 0;
  return Math.floor((b.length * 3) / 4) - (b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0);
}

/**
 * Bytes of one attribute value by DynamoDB's item size rules (approximately, for numbers); binary
 * values as base64 text (the wire) or bytes (the SDK's output).
 */
export function valueBytes(v: WireValue): number {
  if (typeof v.S === "string") return utf8(v.S);
  if (typeof v.N === "string") return numberBytes(v.N);
  if (v.B !== undefined) return binaryBytes(v.B);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((n, s) => n + utf8(s), 0);
  if (Array.isArray(v.NS)) return (v.NS as string[]).reduce((n, s) => n + numberBytes(s), 0);
  if (Array.isArray(v.BS)) return (v.BS as unknown[]).reduce((n: number, s) => n + binaryBytes(s), 0);
  if (Array.isArray(v.L)) return 3 + (v.L as WireValue[]).reduce((n, e) => n + 1 + valueBytes(e), 0);
  if (v.M && typeof v.M === "object") return 3 + itemBytes(v.M as Record<string, WireValue>, 1);
  return 0;
}

/** Bytes of an item (attribute names plus values); `perEntry` is the 1 byte a map entry adds. */
export function itemBytes(item: Record<string, WireValue>, perEntry = 0): number {
  return Object.entries(item).reduce((n, [name, v]) => n + utf8(name) + valueBytes(v) + perEntry, 0);
}

/** Write request units of one item of `bytes` in a transaction: 2 per started KB. */
export function transactionWru(bytes: number): number {
  return 2 * Math.max(1, Math.ceil(bytes / 1024));
}
