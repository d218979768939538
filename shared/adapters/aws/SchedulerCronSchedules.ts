import { createHash } from "node:crypto";
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import type { TimerMessage } from "../../domain/schemas.js";
import type { CronSchedule, CronSchedules } from "../../ports/index.js";
import { type ScheduleTargetNames, scheduleTarget } from "./scheduleTarget.js";

/** Scheduler writes the invocation's scheduled time (`2026-03-08T13:00:00Z`) where this stands. */
export const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

/** A tick still undelivered after an hour goes to the dead-letter queue rather than run late. */
const CRON_MAX_EVENT_AGE_SECONDS = 3600;

export interface CronScheduleNames extends ScheduleTargetNames {
  scheduleGroup: string;
}

const hash = (s: string, chars: number) => createHash("sha256").update(s).digest("base64url").slice(0, chars);

/** Every schedule of one function starts with this (`c-` + 22 characters of its slug's hash). */
function cronSchedulePrefix(fnSlug: string): string {
  return `c-${hash(fnSlug, 22)}-`;
}

/**
 * One function's schedule for one cron: 25 + 32 characters of [0-9a-zA-Z-_], inside Scheduler's
 * 64; the same (function, cron) always gets the same name.
 */
export function cronScheduleName(fnSlug: string, cron: string): string {
  return `${cronSchedulePrefix(fnSlug)}${hash(`${fnSlug}\u0000${cron}`, 32)}`;
}

/** The timers-queue message a cron() schedule delivers: the tick, due at once. */
function cronScheduleInput(fnSlug: string, cron: string): string {
  const message: TimerMessage = {
    item: { kind: "cron", fnSlug, cron, scheduledAt: SCHEDULED_TIME },
    dueAt: 0,
  };
  return JSON.stringify(message);
}

const isError = (err: unknown, name: string) => err instanceof Error && err.name === name;

/**
 * Cron triggers as recurring EventBridge Scheduler `cron()` schedules in Tideline's group, aimed
 * at the timers queue. A schedule that delivery keeps failing is retried for an hour: a tick
 * older than that is not worth firing late.
 */
export class SchedulerCronSchedules implements CronSchedules {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly names: CronScheduleNames,
  ) {}

  async sync(fnSlug: string, schedules: CronSchedule[]): Promise<void> {
    const existing = await this.list(cronSchedulePrefix(fnSlug));
    const wanted = new Map(schedules.map((s) => [cronScheduleName(fnSlug, s.cron), s]));
    await Promise.all([
      ...[...wanted].map(([name, s]) => this.put(name, fnSlug, s, existing.has(name))),
      ...[...existing].filter((name) => !wanted.has(name)).map((name) => this.delete(name)),
    ]);
  }

  private async list(prefix: string): Promise<Set<string>> {
    const names = new Set<string>();
    let token: string | undefined;
    do {
      const res = await this.scheduler.send(
        new ListSchedulesCommand({
          GroupName: this.names.scheduleGroup,
          NamePrefix: prefix,
          NextToken: token,
        }),
      );
      for (const s of res.Schedules ?? []) if (s.Name?.startsWith(prefix)) names.add(s.Name);
      token = res.NextToken ?? undefined;
    } while (token);
    return names;
  }

  /** Creates or replaces (UpdateSchedule replaces the whole definition); either answer of a race is fine. */
  private async put(name: string, fnSlug: string, s: CronSchedule, exists: boolean): Promise<void> {
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.names.scheduleGroup,
      Description: `cron trigger of ${fnSlug}: ${s.cron}`.slice(0, 512),
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: scheduleTarget(this.names, cronScheduleInput(fnSlug, s.cron), CRON_MAX_EVENT_AGE_SECONDS),
    };
    const create = () => this.scheduler.send(new CreateScheduleCommand(input));
    const update = () => this.scheduler.send(new UpdateScheduleCommand(input));
    try {
      await (exists ? update() : create());
    } catch (err) {
      if (!exists && isError(err, "ConflictException")) await update();
      else if (exists && isError(err, "ResourceNotFoundException")) await create();
      else throw err;
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({ Name: name, GroupName: this.names.scheduleGroup }),
      );
    } catch (err) {
      if (!isError(err, "ResourceNotFoundException")) throw err;
    }
  }
}
