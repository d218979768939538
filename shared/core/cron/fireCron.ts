/**
 * A cron trigger's tick (SEMANTICS 1): an `inngest/scheduled.timer` event aimed at the function,
 * put on the stream like any event. Ticks come from a recurring Scheduler `cron()` schedule (its
 * input carries Scheduler's scheduled time) or, for crons Scheduler cannot express, from a chain
 * of one-time ticks in which each tick schedules the next.
 */
import { cronJitterMs, nextFireAfter, rfc3339 } from "../../domain/cron.js";
import { deterministicUlid } from "../../domain/ids.js";
import type { AcceptedEvent, CronTrigger, FunctionRecord, TimerItem } from "../../domain/schemas.js";
import type { Clock, EventStream, RegistryStore, TimerService } from "../../ports/index.js";
import { INTERNAL_EVENTS } from "../../protocol/constants.js";

export type CronTick = Extract<TimerItem, { kind: "cron" }>;

export interface FireCronDeps {
  registry: RegistryStore;
  stream: EventStream;
  timers: TimerService;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const MINUTE_MS = 60_000;
/**
 * A chain skips the ticks it fell this far behind on (it was held up, e.g. by an outage) rather
 * than firing them all at once. Above the largest jitter (5 min), so jittered ticks never skip.
 */
const CHAIN_CATCH_UP_MS = 6 * MINUTE_MS;

/** The event of one tick: its id is the scheduled time, so a repeated tick starts no second run. */
export function cronEvent(fnSlug: string, cron: string, scheduledAt: number, fireAt: number): AcceptedEvent {
  const id = rfc3339(scheduledAt);
  return {
    // The same tick delivered twice is the same event (and so the same run).
    internalId: deterministicUlid(fireAt, `cron\u0000${fnSlug}\u0000${cron}\u0000${id}`),
    event: {
      name: INTERNAL_EVENTS.scheduledTimer,
      id,
      ts: fireAt,
      data: { cron, scheduledAt: id, fireAt: rfc3339(fireAt) },
      user: {},
    },
    receivedAt: fireAt,
    target: fnSlug,
  };
}

/** Schedules a chain's tick for the first fire time after `afterMs`, at its jittered time. */
export async function scheduleChainTick(
  deps: { timers: TimerService },
  fn: FunctionRecord,
  trigger: CronTrigger,
  afterMs: number,
): Promise<void> {
  const next = nextFireAfter(trigger.cron, afterMs);
  const fireAt = next + cronJitterMs(fn.slug, trigger.cron, next, trigger.jitter);
  const tick: CronTick = {
    kind: "cron",
    fnSlug: fn.slug,
    cron: trigger.cron,
    scheduledAt: rfc3339(next),
    chain: fn.updatedAt,
    jittered: true,
  };
  await deps.timers.schedule(tick, fireAt);
}

/** The tick's scheduled time; without one (never expected), the minute it arrived in. */
function scheduledTime(tick: CronTick, now: number): number {
  const parsed = tick.scheduledAt === undefined ? Number.NaN : Date.parse(tick.scheduledAt);
  return Number.isNaN(parsed) ? Math.floor(now / MINUTE_MS) * MINUTE_MS : parsed;
}

/**
 * Fires one tick. Nothing happens (and a chain stops) when the function is gone, archived, no
 * longer has this cron, or was synced again since the chain began (that sync started a new one).
 */
export async function fireCron(deps: FireCronDeps, tick: CronTick): Promise<void> {
  const fn = await deps.registry.getFunction(tick.fnSlug);
  const trigger = fn?.archived
    ? undefined
    : fn?.triggers.find((t): t is CronTrigger => "cron" in t && t.cron === tick.cron);
  if (!fn || !trigger || (tick.chain !== undefined && tick.chain !== fn.updatedAt)) {
    deps.log?.("cron tick of a function or cron no longer synced; dropped", {
      fn: tick.fnSlug,
      cron: tick.cron,
    });
    return;
  }
  const now = deps.clock.now();
  const scheduledAt = scheduledTime(tick, now);
  const fireAt = scheduledAt + cronJitterMs(fn.slug, tick.cron, scheduledAt, trigger.jitter);
  if (!tick.jittered && fireAt > now) {
    // Comes back at the jittered time (once: the copy is marked).
    await deps.timers.schedule({ ...tick, scheduledAt: rfc3339(scheduledAt), jittered: true }, fireAt);
    return;
  }
  await deps.stream.put([cronEvent(fn.slug, tick.cron, scheduledAt, fireAt)]);
  if (tick.chain !== undefined) {
    await scheduleChainTick(deps, fn, trigger, Math.max(scheduledAt, now - CHAIN_CATCH_UP_MS));
  }
}
