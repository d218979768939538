/**
 * EventBridge Scheduler: the schedule group that holds Tideline's one-time `at()` schedules (sleeps
 * longer than SQS's 15-minute delay) and the manifest's recurring schedules (shared/resources.ts
 * `SCHEDULES`, e.g. the recovery sweep), and the role Scheduler assumes to deliver them all to the
 * timers queue. The role may do exactly one thing: send a message to that queue.
 */
import { Arn, ArnFormat, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  type IGrantable,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from "aws-cdk-lib/aws-iam";
import { CfnSchedule, ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { TimerMessage } from "../../../shared/domain/schemas.js";
import { SCHEDULES, type ScheduleSpec } from "../../../shared/resources.js";
import { acknowledgeWildcardResource } from "../nag.js";
import { fromManifest } from "./DataStores.js";

export type ScheduleName = keyof typeof SCHEDULES;

/** Scheduler's bounds on a target's retry policy. */
const MIN_EVENT_AGE_SECONDS = 60;
const MAX_EVENT_AGE_SECONDS = 24 * 3600;
const MAX_RETRY_ATTEMPTS = 185;

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

/** The message body a recurring schedule delivers: its item, due at once. */
export function scheduleMessage(spec: ScheduleSpec): TimerMessage {
  return { item: spec.item, dueAt: 0 };
}

export interface SchedulingProps {
  /** The standard timers queue every schedule targets. */
  readonly timersQueue: IQueue;
}

export class Scheduling extends Construct {
  readonly group: ScheduleGroup;
  /** Role passed as the schedules' target role. */
  readonly role: Role;
  /** The manifest's recurring schedules, by manifest key. */
  readonly recurring: Record<ScheduleName, CfnSchedule>;
  private readonly timersQueue: IQueue;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.timersQueue = props.timersQueue;
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
            new PolicyStatement({ actions: ["sqs:SendMessage"], resources: [props.timersQueue.queueArn] }),
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
   * next run is due; after that the next run does the same work, so no dead-letter queue (which
   * would also widen the target role beyond the timers queue).
   */
  private recurringSchedule(spec: ScheduleSpec): CfnSchedule {
    const period = ratePeriodSeconds(spec.expression);
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
        retryPolicy: {
          maximumEventAgeInSeconds: Math.min(Math.max(period, MIN_EVENT_AGE_SECONDS), MAX_EVENT_AGE_SECONDS),
          maximumRetryAttempts: MAX_RETRY_ATTEMPTS,
        },
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

  /**
   * Lets `grantee` create and delete schedules in the group and pass only the target role. (IAM
   * authorises these calls on the schedule's ARN, not the group's, so `ScheduleGroup.grant`, which
   * names the group's ARN, would not do.)
   */
  grantManageSchedules(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    const schedules = this.scheduleArns();
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
        resources: [schedules],
      }),
    );
    // Cron triggers: a sync lists a function's schedules to delete the ones it no longer has.
    // ListSchedules takes no resource (IAM authorises it on "*" only).
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["scheduler:ListSchedules"], resources: ["*"] }),
    );
    if (Construct.isConstruct(principal)) {
      acknowledgeWildcardResource(
        principal,
        schedules,
        "Schedule names are content hashes made at run time (one per long sleep or cron trigger), so the " +
          "grant covers the schedules of Tideline's own group, and only Create, Update and DeleteSchedule.",
      );
      acknowledgeWildcardResource(
        principal,
        "*",
        "scheduler:ListSchedules supports no resource-level permission; it only lists names and the group filter is applied in the call.",
      );
    }
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["iam:PassRole"],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
      }),
    );
  }
}
