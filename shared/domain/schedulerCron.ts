/**
 * Standard cron ↔ EventBridge Scheduler's `cron(min hour dom month dow year)`. The two differ in:
 * - days of week: Scheduler numbers them 1-7 from Sunday (standard: 0-6, 7 also Sunday), and
 *   takes no step (`/`) there, so that field is written as a list of ranges;
 * - day of month and day of week: Scheduler wants `?` in exactly one of them and cannot combine
 *   them, so a cron restricting both (the classic OR rule) has no Scheduler form (undefined);
 * - `?` is a wildcard in any standard field, and only a day placeholder in Scheduler's.
 */
import { nextFireAfter, type ParsedCron, parseCron } from "./cron.js";

export interface SchedulerCron {
  /** `cron(...)` for ScheduleExpression. */
  expression: string;
  /** IANA zone for ScheduleExpressionTimezone. */
  timezone: string;
}

/** Scheduler's ScheduleExpression length limit. */
const MAX_EXPRESSION_LENGTH = 256;

/**
 * A field's values in Scheduler syntax: `*` when complete, `start/step` for a progression that
 * runs to the end of the field (where steps are allowed), else a list of values and ranges.
 */
function render(values: number[], min: number, max: number, steps: boolean): string {
  if (values.length === max - min + 1) return "*";
  const [a = min, b = min] = values;
  const step = b - a;
  const last = values[values.length - 1] ?? min;
  if (
    steps &&
    values.length >= 3 &&
    step > 1 &&
    last + step > max &&
    values.every((v, i) => v === a + i * step)
  ) {
    return `${a}/${step}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    parts.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

/** The day fields: which one is Scheduler's `?`, or undefined where it cannot say it. */
function dayFields(c: ParsedCron): [string, string] | undefined {
  const everyDom = c.daysOfMonth.length === 31;
  const everyDow = c.daysOfWeek.length === 7;
  // A complete field matches every day under both rules: only the other one restricts.
  if (everyDom && everyDow) return ["*", "?"];
  if (everyDow && (c.dowStar || c.domStar)) return [render(c.daysOfMonth, 1, 31, true), "?"];
  if (everyDom && (c.dowStar || c.domStar)) {
    // Scheduler's days of week: SUN=1 … SAT=7, no steps.
    const quartz = c.daysOfWeek.map((d) => d + 1);
    return ["?", render(quartz, 1, 7, false)];
  }
  // Neither is a star: a day matches if either field does. With one complete, that is every day.
  if (!c.domStar && !c.dowStar && (everyDom || everyDow)) return ["*", "?"];
  return undefined;
}

/**
 * The Scheduler form of a standard cron, or undefined where the syntaxes differ (both day fields
 * restricted, or too long): such a trigger runs on a chain of one-time `at()` schedules instead.
 */
export function toSchedulerCron(cron: string): SchedulerCron | undefined {
  const parsed = parseCron(cron);
  if (!parsed.ok) return undefined;
  const c = parsed.value;
  const days = dayFields(c);
  if (!days) return undefined;
  const expression = `cron(${[
    render(c.minutes, 0, 59, true),
    render(c.hours, 0, 23, true),
    days[0],
    render(c.months, 1, 12, true),
    days[1],
    "*",
  ].join(" ")})`;
  return expression.length <= MAX_EXPRESSION_LENGTH ? { expression, timezone: c.timezone } : undefined;
}

/**
 * The standard cron a Scheduler `cron()` expression stands for, or undefined for what it cannot
 * say (a year other than `*`, `L`, `W`, `#`, a `?` in both or neither day field). The local
 * schedule driver evaluates Scheduler schedules with it.
 */
export function fromSchedulerCron(expression: string, timezone = "UTC"): string | undefined {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = m?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) return undefined;
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (year !== "*" || /[LW#]/i.test(dom) || /[#/]|\dL|^L$/i.test(dow)) return undefined;
  if ((dom === "?") === (dow === "?")) return undefined;
  if ([min, hour, month].some((f) => f.includes("?"))) return undefined;
  // Scheduler's 1-7 (SUN=1) back to 0-6; names mean the same in both.
  const standardDow = dow === "?" ? "*" : dow.replace(/\d+/g, (n) => String(Number(n) - 1));
  const standard = [min, hour, dom === "?" ? "*" : dom, month, standardDow].join(" ");
  const cron = timezone === "UTC" ? standard : `TZ=${timezone} ${standard}`;
  if (!parseCron(cron).ok) return undefined;
  // A day-of-week field under `?` is a star, so the standard form's AND rule gives Scheduler's.
  return cron;
}

/** The next time a Scheduler `cron()` expression fires strictly after `afterMs`, or undefined. */
export function nextSchedulerCronFire(
  expression: string,
  timezone: string,
  afterMs: number,
): number | undefined {
  const cron = fromSchedulerCron(expression, timezone);
  return cron === undefined ? undefined : nextFireAfter(cron, afterMs);
}
