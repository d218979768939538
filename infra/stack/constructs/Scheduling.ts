/**
 * EventBridge Scheduler: the schedule group that holds Tideline's one-time `at()` schedules (sleeps
 * longer than SQS's 15-minute delay) and the manifest's recurring schedules (shared/resources.ts
 * `SCHEDULES`, e.g. the recovery sweep), and the role Scheduler assumes to deliver them all to the
 * timers queue. The role may do exactly one thing: send a message to that queue, or to the timers
 * dead-letter queue where Scheduler puts what it could not deliver after its retries.
 */
import { Arn, ArnFormat, RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnSchedule, ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { TimerMessage } from "../../../shared/domain/schemas.js";
import { SCHEDULER, SCHEDULES, type ScheduleSpec } from "../../../shared/resources.js";
import { fromManifest } from "./DataStores.js";

export type ScheduleName = keyof typeof SCHEDULES;

// Scheduler's bounds on a target's retry policy are SCHEDULER's (shared/resources.ts). Its minimum
// event age, 60 s, needs no check: a `rate()` period is at least a minute.
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/** Seconds between two runs of a `rate()` expression. */
export function ratePeriodSeconds(expression: string): number {
  const match = RATE.exec(expression);
  if (!match?.[1] || !match[2]) {
    throw new Error(`Schedule expression "${expression}": expected rate(<n> minutes|hours|days)`);
  }
  return Number(match[1]) * (UNIT_SECONDS[match[2].replace(/s$/, "")] ?? Number.NaN);
}

/**
 * How Scheduler retries a recurring schedule's failed delivery: as often as it allows, until the
 * next run is due (the next run does the same work), or for its longest event age.
 */
export function recurringRetryPolicy(expression: string): {
  maximumEventAgeInSeconds: number;
  maximumRetryAttempts: number;
} {
  return {
    maximumEventAgeInSeconds: Math.min(ratePeriodSeconds(expression), SCHEDULER.maxEventAgeSeconds),
    maximumRetryAttempts: SCHEDULER.maxRetryAttempts,
  };
}

/** The message body a recurring schedule delivers: its item, due at once. */
export function scheduleMessage(spec: ScheduleSpec): TimerMessage {
  return { item: spec.item, dueAt: 0 };
}

export interface SchedulingProps {
  /** The standard timers queue every schedule targets. */
  readonly timersQueue: IQueue;
  /**
   * Where Scheduler puts a schedule's input after its retries (the timers DLQ: a redrive to the
   * timers queue delivers those timers late rather than never).
   */
  readonly deadLetterQueue: IQueue;
}

export class Scheduling extends Construct {
  readonly group: ScheduleGroup;
  /** Role passed as the schedules' target role. */
  readonly role: Role;
  /** The manifest's recurring schedules, by manifest key. */
  readonly recurring: Record<ScheduleName, CfnSchedule>;
  private readonly timersQueue: IQueue;
  private readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.timersQueue = props.timersQueue;
    this.deadLetterQueue = props.deadLetterQueue;
    // Schedules only make sense with this stack's timers queue, so they go when the stack goes.
    this.group = new ScheduleGroup(this, "Group", { removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, "TargetRole", {
      description: "Assumed by EventBridge Scheduler to deliver Tideline timers to the timers queue",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        // Confused-deputy guard: only schedules of this account may assume the role.
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      inlinePolicies: {
        SendToTimers: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ["sqs:SendMessage"],
              resources: [props.timersQueue.queueArn, props.deadLetterQueue.queueArn],
            }),
          ],
        }),
      },
    });
    this.recurring = fromManifest<ScheduleName, ScheduleSpec, CfnSchedule>(SCHEDULES, (spec) =>
      this.recurringSchedule(spec),
    );
  }

  /**
   * One recurring schedule, on time (no flexible window). A failed delivery is retried until the
   * next run is due (the next run does the same work), then kept on the dead-letter queue, where
   * the DLQ alarm shows it.
   */
  private recurringSchedule(spec: ScheduleSpec): CfnSchedule {
    const schedule = new CfnSchedule(this, spec.id, {
      description: spec.purpose,
      groupName: this.group.scheduleGroupName,
      scheduleExpression: spec.expression,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: this.timersQueue.queueArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(scheduleMessage(spec)),
        retryPolicy: recurringRetryPolicy(spec.expression),
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    // The group's name is a literal in the template, so the dependency has to be stated.
    schedule.node.addDependency(this.group);
    return schedule;
  }

  /**
   * ARN pattern of the schedules in the group. Schedule names are content hashes made at run time,
   * so the pattern ends in `*`; it never reaches outside the group.
   */
  scheduleArns(): string {
    return Arn.format(
      {
        service: "scheduler",
        resource: "schedule",
        resourceName: `${this.group.scheduleGroupName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }
}
