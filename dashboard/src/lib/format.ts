/** Formatting of times, durations, costs and JSON for display. */

const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const todayFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

const clockDateFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

const isToday = (t: number) => new Date(t).toDateString() === new Date().toDateString();

export function ms(time: string | null | undefined): number | null {
  if (!time) return null;
  const t = Date.parse(time);
  // Inngest's "unknown" time is the zero time (year 1).
  return Number.isNaN(t) || t < 0 ? null : t;
}

/** A time: of day only when it is today, else with its date. */
export function formatTime(time: string | null | undefined): string {
  const t = ms(time);
  if (t === null) return "—";
  return isToday(t) ? todayFormat.format(t) : timeFormat.format(t);
}

/** A time with its date, always. */
export function formatDateTime(time: string | null | undefined): string {
  const t = ms(time);
  return t === null ? "—" : timeFormat.format(t);
}

/** Wall-clock time with milliseconds, for timeline details; with its date when not today. */
export function formatClock(time: string | null | undefined): string {
  const t = ms(time);
  if (t === null) return "—";
  return isToday(t) ? clockFormat.format(t) : clockDateFormat.format(t);
}

/** 850 ms, 1.25 s, 12.5 s, 2m 5s, 3h 20m, 2d 4h (each unit rounded without spilling: never "1m 60s"). */
export function formatDuration(millis: number | null | undefined): string {
  if (millis === null || millis === undefined || Number.isNaN(millis)) return "—";
  const whole = Math.max(0, Math.round(millis));
  if (whole < 1000) return `${whole} ms`;
  const s = whole / 1000;
  if (s < 9.995) return `${s.toFixed(2)} s`;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const seconds = Math.round(s);
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${seconds % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** From start to end, or to now while it lasts. */
export function durationBetween(
  start: string | null | undefined,
  end: string | null | undefined,
): number | null {
  const a = ms(start);
  if (a === null) return null;
  const b = ms(end) ?? Date.now();
  return b - a;
}

/** US dollars: amounts under a cent keep three significant digits ($0.0000123). */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  const abs = Math.abs(usd);
  if (abs >= 0.01) return `$${usd.toFixed(usd >= 100 ? 0 : 2)}`;
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(abs)));
  return `$${usd.toFixed(decimals).replace(/0+$/, "").replace(/\.$/, "")}`;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

export function tryParse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * A value as indented JSON. Strings holding JSON (outputs travel as JSON text) are shown parsed;
 * other strings as they are.
 */
export function prettyJson(value: unknown): string {
  if (typeof value === "string") {
    const parsed = tryParse(value);
    return parsed.ok ? JSON.stringify(parsed.value, null, 2) : value;
  }
  if (value === undefined) return "undefined";
  return JSON.stringify(value, null, 2);
}
