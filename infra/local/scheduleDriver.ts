/**
 * Fires EventBridge Scheduler schedules, which the emulator stores but never runs: every tick it
 * lists the group's schedules, reads the ones it has not seen (or that changed), and when one is
 * due performs its target (SendMessage of `Target.Input` to the target queue) and then applies
 * ActionAfterCompletion (DELETE removes the schedule).
 */
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SCHEDULED_TIME } from "../../shared/adapters/aws/SchedulerCronSchedules.js";
import { rfc3339 } from "../../shared/domain/cron.js";
import { fromSchedulerCron, nextSchedulerCronFire } from "../../shared/domain/schedulerCron.js";
import { sleep } from "./abortableSleep.js";
import { consoleLogger, type Logger } from "./log.js";
import type { Poller } from "./sqsPoller.js";

/**
 * How one kind of schedule expression fires. Each kind says when a schedule is next due after its
 * last firing (undefined = never again), given when this driver first read it (`seenAt`).
 */
export interface ExpressionKind {
  matches(expression: string): boolean;
  nextDue(
    schedule: GetScheduleCommandOutput,
    lastFiredAt: number | undefined,
    seenAt?: number,
  ): number | undefined;
  /** True for one-time schedules, to which ActionAfterCompletion applies after firing. */
  oneTime: boolean;
}

/** Epoch ms of a wall-clock time in an IANA zone (Intl gives the zone's offset at that instant). */
export function zonedTimeToEpoch(wall: string, timeZone: string): number {
  const asUtc = Date.parse(`${wall}Z`);
  if (timeZone === "UTC" || Number.isNaN(asUtc)) return asUtc;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(asUtc));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const shown = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - (shown - asUtc);
}

export const atKind: ExpressionKind = {
  oneTime: true,
  matches: (e) => e.startsWith("at("),
  nextDue(s, lastFiredAt) {
    if (lastFiredAt !== undefined) return undefined;
    const wall = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(s.ScheduleExpression ?? "")?.[1];
    return wall ? zonedTimeToEpoch(wall, s.ScheduleExpressionTimezone ?? "UTC") : undefined;
  },
};

const RATE_UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds of a `rate(N unit)` expression, or undefined when it is not one. */
export function ratePeriodMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * (RATE_UNIT_MS[m[2]] ?? 0) : undefined;
}

/** Recurring `rate()` schedules: first due one period after creation, then a period after each firing. */
export const rateKind: ExpressionKind = {
  oneTime: false,
  matches: (e) => ratePeriodMs(e) !== undefined,
  nextDue(s, lastFiredAt) {
    const period = ratePeriodMs(s.ScheduleExpression ?? "");
    if (period === undefined) return undefined;
    const from = lastFiredAt ?? s.CreationDate?.getTime() ?? Date.now();
    return from + period;
  },
};

/**
 * Recurring `cron()` schedules in their zone (read as the standard cron they stand for). Before its
 * first firing a schedule is due at its first time after it was last changed, but never more than a
 * minute before this driver first saw it: a restarted driver does not fire ticks it missed (nor
 * does Scheduler), except one inside the minute, as Scheduler fires within the minute.
 */
export const cronKind: ExpressionKind = {
  oneTime: false,
  matches: (e) => fromSchedulerCron(e) !== undefined,
  nextDue(s, lastFiredAt, seenAt) {
    const changed = (s.LastModificationDate ?? s.CreationDate)?.getTime() ?? seenAt ?? Date.now();
    const from = lastFiredAt ?? Math.max(changed, (seenAt ?? changed) - 60_000);
    return nextSchedulerCronFire(s.ScheduleExpression ?? "", s.ScheduleExpressionTimezone ?? "UTC", from);
  },
};

export interface ScheduleDriverOptions {
  scheduler: SchedulerClient;
  sqs: SQSClient;
  groupName: string;
  intervalMs?: number;
  kinds?: ExpressionKind[];
  now?: () => number;
  log?: Logger;
}

export interface ScheduleDriver {
  /** One pass over the group: fire what is due. */
  tick(): Promise<void>;
}

interface Known {
  modified: number;
  schedule: GetScheduleCommandOutput;
  lastFiredAt?: number;
  /** When this driver first read the schedule (kept across its changes). */
  seenAt: number;
}

export function createScheduleDriver(opts: ScheduleDriverOptions): ScheduleDriver {
  const log = opts.log ?? consoleLogger();
  const kinds = opts.kinds ?? [atKind, rateKind, cronKind];
  const now = opts.now ?? Date.now;
  const known = new Map<string, Known>();
  const queueUrls = new Map<string, string>();
  const skipped = new Set<string>();

  async function queueUrl(arn: string): Promise<string> {
    const cached = queueUrls.get(arn);
    if (cached) return cached;
    const [, , service, , account, name] = arn.split(":");
    if (service !== "sqs" || !name)
      throw new Error(`unsupported Scheduler target ${arn} (only SQS is emulated)`);
    const res = await opts.sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    if (!res.QueueUrl) throw new Error(`no URL for queue ${arn}`);
    queueUrls.set(arn, res.QueueUrl);
    return res.QueueUrl;
  }

  async function fire(name: string, entry: Known, kind: ExpressionKind, due: number): Promise<void> {
    const target = entry.schedule.Target;
    if (!target?.Arn) throw new Error(`schedule ${name} has no target`);
    const groupId = target.SqsParameters?.MessageGroupId;
    await opts.sqs.send(
      new SendMessageCommand({
        QueueUrl: await queueUrl(target.Arn),
        // Scheduler fills in its context attributes; Tideline's cron ticks use the scheduled time.
        MessageBody: (target.Input ?? "{}").replaceAll(SCHEDULED_TIME, rfc3339(due)),
        ...(groupId ? { MessageGroupId: groupId } : {}),
      }),
    );
    entry.lastFiredAt = now();
    if (kind.oneTime && entry.schedule.ActionAfterCompletion === "DELETE") {
      await opts.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: opts.groupName }));
      known.delete(name);
    }
  }

  async function listNames(): Promise<Map<string, number>> {
    const names = new Map<string, number>();
    let token: string | undefined;
    do {
      const res = await opts.scheduler.send(
        new ListSchedulesCommand({ GroupName: opts.groupName, State: "ENABLED", NextToken: token }),
      );
      for (const s of res.Schedules ?? []) {
        if (s.Name) names.set(s.Name, s.LastModificationDate?.getTime() ?? s.CreationDate?.getTime() ?? 0);
      }
      token = res.NextToken ?? undefined;
    } while (token);
    return names;
  }

  async function tick(): Promise<void> {
    const names = await listNames();
    for (const name of known.keys()) if (!names.has(name)) known.delete(name);
    for (const [name, modified] of names) {
      let entry = known.get(name);
      // Only new or changed schedules are read again (ListSchedules omits the target).
      if (!entry || entry.modified !== modified) {
        const schedule = await opts.scheduler.send(
          new GetScheduleCommand({ Name: name, GroupName: opts.groupName }),
        );
        entry = { modified, schedule, seenAt: entry?.seenAt ?? now() };
        known.set(name, entry);
      }
      const expression = entry.schedule.ScheduleExpression ?? "";
      const kind = kinds.find((k) => k.matches(expression));
      if (!kind) {
        if (!skipped.has(name)) log.info(`schedule ${name}: ${expression} is not fired locally yet`);
        skipped.add(name);
        continue;
      }
      const due = kind.nextDue(entry.schedule, entry.lastFiredAt, entry.seenAt);
      if (due === undefined || due > now()) continue;
      try {
        await fire(name, entry, kind, due);
      } catch (err) {
        // Scheduler retries a failed target; so does the next tick.
        log.warn(`schedule ${name}: target failed`, err);
      }
    }
  }

  return { tick };
}

/** Ticks every `intervalMs` (default 1 s, Scheduler's own granularity is a minute) until stopped. */
export function startScheduleDriver(opts: ScheduleDriverOptions): Poller {
  const log = opts.log ?? consoleLogger();
  const driver = createScheduleDriver(opts);
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await driver.tick();
      } catch (err) {
        if (!abort.signal.aborted) log.warn(`schedule driver (${opts.groupName})`, err);
      }
      await sleep(opts.intervalMs ?? 1000, abort.signal);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
