/**
 * Inngest time strings (PROTOCOL 5.7): Go-style durations extended with days and weeks, as the
 * Go server parses them (str2duration), plus ISO instants in the same fields.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu, which Go also accepts
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TERM_RE = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)/y;

/**
 * Milliseconds in a duration such as "1h30m", "1d12h", "1.5s", "250ms". "" and "0" are 0; a
 * leading "+" is allowed. Negative durations are rejected (nothing in the protocol sends them).
 * Sub-millisecond units give fractional results; callers round as they need.
 */
export function parseDurationMs(s: string): number {
  const input = s.trim();
  if (input === "" || input === "0" || input === "+0") return 0;
  if (input.startsWith("-")) throw new Error(`invalid duration "${s}": negative durations are not allowed`);
  let pos = input.startsWith("+") ? 1 : 0;
  if (pos === input.length) throw new Error(`invalid duration "${s}"`);
  let total = 0;
  while (pos < input.length) {
    TERM_RE.lastIndex = pos;
    const m = TERM_RE.exec(input);
    if (!m?.[1] || !m[2]) {
      throw new Error(
        `invalid duration "${s}": expected <number><unit> terms with units ns, us, µs, ms, s, m, h, d, w`,
      );
    }
    total += Number(m[1]) * (UNIT_MS[m[2]] ?? 0);
    pos = TERM_RE.lastIndex;
  }
  if (!Number.isFinite(total)) throw new Error(`invalid duration "${s}": out of range`);
  return total;
}

/** Strict ISO-8601 date or date-time; other date spellings are not used on the wire. */
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO instant, or undefined. A date-time without offset is UTC (as in Go). */
export function parseIsoInstant(s: string): number | undefined {
  const m = ISO_RE.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", sec = "00", frac, zone] = m;
  const ms = frac ? frac.slice(0, 3).padEnd(3, "0") : "000";
  let offset = zone && zone.toUpperCase() !== "Z" ? zone : "Z";
  if (offset !== "Z" && !offset.includes(":")) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const value = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}${offset}`);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Epoch ms at which a Sleep wakes. Like Go, a string of 10+ characters that parses as a date is
 * an absolute instant (JS `sleepUntil`, every Python sleep); anything else is a duration from now.
 */
export function resolveSleepTarget(nameOrDuration: string, nowMs: number): number {
  if (nameOrDuration.length >= 10) {
    const at = parseIsoInstant(nameOrDuration);
    if (at !== undefined) return at;
  }
  return nowMs + parseDurationMs(nameOrDuration);
}

const FORMAT_UNITS: Array<[string, number]> = [
  ["w", 604_800_000],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/**
 * Human/wire form of a duration, largest units first ("1h30m", "2d", "1s500ms"). 0 is "0s".
 * Unlike the JS SDK it keeps milliseconds instead of rounding up to 1s: this is for messages.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  let rest = Math.round(Math.abs(ms));
  let out = "";
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out === "" ? "0s" : `${sign}${out}`;
}
