/**
 * The target of every schedule Tideline creates at run time (one-time `at()` wake-ups and cron
 * triggers): the timers queue, the role Scheduler assumes, a retry policy, and the timers DLQ for
 * what still cannot be delivered. Scheduler puts the undelivered input (the timer message itself)
 * on that queue, so a redrive of the timers DLQ to the timers queue delivers it late, not never.
 */
import type { Target } from "@aws-sdk/client-scheduler";
import { SCHEDULER } from "../../resources.js";

export interface ScheduleTargetNames {
  timersQueueArn: string;
  /** Role Scheduler assumes to send to the timers queue (and to the dead-letter queue). */
  schedulerRoleArn: string;
  /** Standard queue for inputs Scheduler gave up on (the stack's timers DLQ). */
  deadLetterArn?: string;
}

/** Scheduler's upper bound on how long a target is retried (shared/resources.ts). */
export const SCHEDULE_MAX_EVENT_AGE_SECONDS: number = SCHEDULER.maxEventAgeSeconds;

/**
 * `maxEventAgeSeconds`: how late a delivery may still be useful. A wake-up is always (a day, the
 * most Scheduler allows); a cron tick gives up sooner so it never lands on the next tick.
 */
export function scheduleTarget(
  names: ScheduleTargetNames,
  input: string,
  maxEventAgeSeconds = SCHEDULE_MAX_EVENT_AGE_SECONDS,
): Target {
  return {
    Arn: names.timersQueueArn,
    RoleArn: names.schedulerRoleArn,
    Input: input,
    RetryPolicy: {
      MaximumEventAgeInSeconds: maxEventAgeSeconds,
      MaximumRetryAttempts: SCHEDULER.maxRetryAttempts,
    },
    ...(names.deadLetterArn ? { DeadLetterConfig: { Arn: names.deadLetterArn } } : {}),
  };
}
