import { createHash } from "node:crypto";
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from "@aws-sdk/client-scheduler";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { TimerItem, TimerMessage } from "../../domain/schemas.js";
import type { Clock, TimerService } from "../../ports/index.js";
import { type ScheduleTargetNames, scheduleTarget } from "./scheduleTarget.js";

/** SQS's largest per-message delay. */
export const MAX_SQS_DELAY_SECONDS = 900;
/**
 * Scheduler fires anywhere inside the minute of its `at()` time, so aim this far early; the timer
 * handler re-delays the remainder on the timers queue, which keeps wake-ups second-accurate.
 */
export const SCHEDULE_LEAD_MS = 90_000;

export interface TimerServiceClients {
  sqs: SQSClient;
  scheduler: SchedulerClient;
}

export interface TimerServiceNames extends ScheduleTargetNames {
  timersQueueUrl: string;
  scheduleGroup: string;
  /** Longest delay put on the queue (default and maximum: SQS's 900 s). */
  maxQueueDelaySeconds?: number;
}

/** `at()` wants `yyyy-mm-ddThh:mm:ss` (no zone, no fraction); the zone is given separately. */
export function atExpression(epochMs: number): string {
  return `at(${new Date(epochMs).toISOString().slice(0, 19)})`;
}

/**
 * Same body, same name: scheduling the same item for the same time twice makes one schedule.
 * Names allow [0-9a-zA-Z-_.], at most 64 characters.
 */
export function scheduleName(body: string): string {
  return `t-${createHash("sha256").update(body).digest("base64url").slice(0, 43)}`;
}

/**
 * The SQS DelaySeconds for a delay: whole seconds, rounded down, so a message arrives up to a second
 * early and never late; the timer handler holds it for the rest (handleTimer). Throttled starts
 * a few hundred milliseconds apart then keep their spacing instead of bunching.
 */
export function queueDelaySeconds(delayMs: number, maxSeconds: number): number {
  return Math.min(maxSeconds, Math.max(0, Math.floor(delayMs / 1000)));
}

/** Delays of any length: the timers queue up to 15 minutes, a one-time Scheduler schedule beyond. */
export class TimerServiceAws implements TimerService {
  constructor(
    private readonly clients: TimerServiceClients,
    private readonly names: TimerServiceNames,
    private readonly clock: Clock,
  ) {}

  async schedule(item: TimerItem, dueAt: number): Promise<void> {
    const message: TimerMessage = { item, dueAt };
    const body = JSON.stringify(message);
    const delayMs = dueAt - this.clock.now();
    const maxDelaySeconds = Math.min(
      MAX_SQS_DELAY_SECONDS,
      this.names.maxQueueDelaySeconds ?? MAX_SQS_DELAY_SECONDS,
    );
    if (delayMs <= maxDelaySeconds * 1000) {
      const delaySeconds = queueDelaySeconds(delayMs, maxDelaySeconds);
      await this.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.names.timersQueueUrl,
          MessageBody: body,
          DelaySeconds: delaySeconds,
        }),
      );
      return;
    }
    try {
      await this.clients.scheduler.send(
        new CreateScheduleCommand({
          Name: scheduleName(body),
          GroupName: this.names.scheduleGroup,
          // Early by the lead, but never by more than one queue hop (the remainder goes there).
          ScheduleExpression: atExpression(dueAt - Math.min(SCHEDULE_LEAD_MS, maxDelaySeconds * 1000)),
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: { Mode: "OFF" },
          ActionAfterCompletion: "DELETE",
          Target: scheduleTarget(this.names, body),
        }),
      );
    } catch (err) {
      // The same name exists: this exact item is already scheduled (a retried transition).
      if (err instanceof ConflictException || (err instanceof Error && err.name === "ConflictException"))
        return;
      throw err;
    }
  }
}
