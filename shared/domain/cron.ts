/**
 * Cron triggers (SEMANTICS 1): robfig/cron v3's standard 5-field syntax (`min hour dom month dow`)
 * with an optional `TZ=<IANA>` / `CRON_TZ=<IANA>` prefix (default UTC). Fields are parsed here, so
 * a problem names its field; the next fire time is computed by croner on a canonical pattern.
 */
import { createHash } from "node:crypto";
import { Cron } from "croner";
import { parseDurationMs } from "./duration.js";

export interface CronField {
  name: "minute" | "hour" | "day-of-month" | "month" | "day-of-week";
  min: number;
  max: number;
  /** Three-letter names (case-insensitive) and their values. */
  names?: Readonly<Record<string, number>>;
}

const MONTHS = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** The five fields in order. Day-of-week accepts 7 for Sunday, like Vixie cron. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 7, names: DAYS },
];

/** A parsed cron: each field's values (day-of-week 0-6, Sunday 0) and its time zone. */
export interface ParsedCron {
  timezone: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  daysOfWeek: number[];
  /**
   * robfig's "star bit": the field was `*` or `?` (a step above 1 clears it). If either day field
   * has it, a day must match both; otherwise matching either is enough (the classic OR rule).
   */
  domStar: boolean;
  dowStar: boolean;
}

export type CronParse = { ok: true; value: ParsedCron } | { ok: false; problem: string };

interface FieldValues {
  values: number[];
  star: boolean;
}

/** Days in each month at most (February 29 in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The zone's canonical spelling when Intl knows it (Scheduler wants exact IANA names). */
function knownZone(zone: string): string | undefined {
  if (zone === "") return undefined;
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    // Intl may answer an alias's other name; keep the user's unless only the case differs.
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    return undefined;
  }
}

function parseValue(token: string, field: CronField): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n < field.min || n > field.max
      ? `${field.name} ${n} is out of range ${field.min}-${field.max}`
      : n;
  }
  const named = field.names?.[token.toLowerCase()];
  if (named !== undefined) return named;
  if (field.names) {
    const hint = field.name === "month" ? "JAN-DEC" : "SUN-SAT";
    return `${field.name} "${token}" is not a number or a name (${hint})`;
  }
  return `${field.name} "${token}" is not a number`;
}

/** One comma-separated part: `*`, `?`, `n`, `a-b`, each optionally `/step` (`n/step` = n to max). */
function parsePart(part: string, field: CronField, into: Set<number>): boolean | string {
  const [range = "", step, ...more] = part.split("/");
  if (more.length > 0) return `${field.name} "${part}" has more than one "/"`;
  let stepBy = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `${field.name} step "${step}" is not a number`;
    stepBy = Number(step);
    if (stepBy === 0) return `${field.name} step must be at least 1`;
  }
  // Day-of-week's own range is 0-6; 7 is only another name for Sunday.
  const top = field.name === "day-of-week" ? 6 : field.max;
  let start: number;
  let end: number;
  let star = false;
  if (range === "*" || range === "?") {
    [start, end, star] = [field.min, top, true];
  } else {
    const bounds = range.split("-");
    if (bounds.length > 2) return `${field.name} "${part}" has more than one "-"`;
    if (bounds.some((b) => b === "")) return `${field.name} "${part}" is not a number or a range`;
    const first = parseValue(bounds[0] ?? "", field);
    if (typeof first === "string") return first;
    let last: number | string = step !== undefined ? Math.max(top, first) : first;
    if (bounds[1] !== undefined) {
      last = parseValue(bounds[1], field);
      if (typeof last === "string") return last;
      // `FRI-SUN`: a range ending on Sunday by name ends on 7.
      if (field.name === "day-of-week" && last === 0 && first > 0) last = 7;
    }
    if (first > last) return `${field.name} range ${first}-${last} starts after it ends`;
    [start, end] = [first, last];
  }
  for (let v = start; v <= end; v += stepBy) into.add(field.name === "day-of-week" ? v % 7 : v);
  return star && stepBy === 1;
}

function parseField(text: string, field: CronField): FieldValues | string {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    if (part === "") return `${field.name} "${text}" has an empty list item`;
    const result = parsePart(part, field, values);
    if (typeof result === "string") return result;
    star ||= result;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

/** Parses a cron trigger; a problem names the field and the value at fault. */
export function parseCron(cron: string): CronParse {
  let expr = cron.trim();
  let timezone = "UTC";
  const tz = /^(?:CRON_TZ|TZ)=(\S*)(?:\s+|$)/.exec(expr);
  if (tz) {
    const zone = knownZone(tz[1] ?? "");
    if (!zone) return { ok: false, problem: `unknown time zone "${tz[1] ?? ""}"` };
    timezone = zone;
    expr = expr.slice(tz[0].length);
  }
  if (expr.startsWith("@")) {
    return { ok: false, problem: "cron descriptors such as @daily are not supported; use 5 fields" };
  }
  const texts = expr.split(/\s+/).filter(Boolean);
  if (texts.length !== 5) {
    return {
      ok: false,
      problem: `must have 5 fields (minute hour day-of-month month day-of-week), got ${texts.length}`,
    };
  }
  const fields: FieldValues[] = [];
  for (const [i, field] of CRON_FIELDS.entries()) {
    const parsed = parseField(texts[i] ?? "", field);
    if (typeof parsed === "string") return { ok: false, problem: parsed };
    fields.push(parsed);
  }
  const [minutes, hours, dom, months, dow] = fields as [
    FieldValues,
    FieldValues,
    FieldValues,
    FieldValues,
    FieldValues,
  ];
  const value: ParsedCron = {
    timezone,
    minutes: minutes.values,
    hours: hours.values,
    daysOfMonth: dom.values,
    months: months.values,
    daysOfWeek: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  };
  const never = neverFires(value);
  return never ? { ok: false, problem: never } : { ok: true, value };
}

/** A cron whose days of month exist in none of its months (`0 0 30 2 *`) would never fire. */
function neverFires(c: ParsedCron): string | undefined {
  // Under the OR rule a restricted day-of-week still fires.
  if (!c.dowStar && !c.domStar) return undefined;
  const longest = Math.max(...c.months.map((m) => MONTH_DAYS[m - 1] ?? 31));
  const first = c.daysOfMonth[0] ?? 1;
  return first > longest ? `never fires: day-of-month ${first} is in none of its months` : undefined;
}

/** Why a cron trigger is refused at sync, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  const parsed = parseCron(cron);
  return parsed.ok ? undefined : parsed.problem;
}

function parsedOrThrow(cron: string): ParsedCron {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(`invalid cron "${cron}": ${parsed.problem}`);
  return parsed.value;
}

const list = (values: number[], all: number) => (values.length === all ? "*" : values.join(","));

/**
 * croner's pattern for a parsed cron: explicit value lists, and `*` exactly where robfig's star
 * bit is set, so croner's own OR rule (which looks for a literal `*`) agrees with robfig's.
 */
function cronerPattern(c: ParsedCron): string {
  return [
    list(c.minutes, 60),
    list(c.hours, 24),
    c.domStar ? "*" : c.daysOfMonth.join(","),
    list(c.months, 12),
    c.dowStar ? "*" : c.daysOfWeek.join(","),
  ].join(" ");
}

const compiled = new Map<string, Cron>();

function cronerFor(cron: string): Cron {
  let job = compiled.get(cron);
  if (!job) {
    const c = parsedOrThrow(cron);
    job = new Cron(cronerPattern(c), { timezone: c.timezone, mode: "5-part", domAndDow: false });
    // Crons come from function configs: a bounded set per process.
    if (compiled.size > 1000) compiled.clear();
    compiled.set(cron, job);
  }
  return job;
}

/**
 * The first fire time strictly after `afterMs` (epoch ms), read in the cron's zone. Around DST
 * changes croner's rules apply (a fixed time in a skipped hour fires once after the gap, a fixed
 * time in a repeated hour once); SEMANTICS allows 0, 1 or 2 fires there.
 */
export function nextFireAfter(cron: string, afterMs: number): number {
  const next = cronerFor(cron).nextRun(new Date(afterMs));
  if (!next) throw new Error(`cron "${cron}" has no fire time after ${new Date(afterMs).toISOString()}`);
  return next.getTime();
}

/** RFC 3339 in UTC without fractions, as Go prints a time (`2026-03-08T13:00:00Z`). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The deterministic jitter of one tick: J in [1s, jitter), whole seconds, from a hash of
 * (function, cron, scheduled time), so every delivery of the same tick fires at the same time.
 * 0 without jitter.
 */
export function cronJitterMs(fnSlug: string, cron: string, scheduledAt: number, jitter?: string): number {
  let range = 0;
  try {
    range = jitter ? parseDurationMs(jitter) : 0;
  } catch {
    return 0; // refused at sync; never reached with a synced config
  }
  const min = 1000;
  if (range <= 0) return 0;
  if (range <= min) return min;
  const digest = createHash("sha256").update(`${fnSlug}\u0000${cron}\u0000${scheduledAt}`).digest();
  // Whole seconds: the fire time then reads exactly in RFC 3339 (data.fireAt) and in SQS delays.
  const offset = digest.readUIntBE(0, 6) % Math.floor(range - min);
  return min + Math.floor(offset / 1000) * 1000;
}
