/**
 * EventBridge Scheduler: the schedule group that holds Tideline's one-time `at()` schedules (sleeps
 * longer than SQS's 15-minute delay) and the role Scheduler assumes to deliver them to the timers
 * queue. The role may do exactly one thing: send a message to that queue.
 */
import { Arn, ArnFormat, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  type IGrantable,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from "aws-cdk-lib/aws-iam";
import { ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledgeWildcardResource } from "../nag.js";

export interface SchedulingProps {
  /** The standard timers queue every schedule targets. */
  readonly timersQueue: IQueue;
}

export class Scheduling extends Construct {
  readonly group: ScheduleGroup;
  /** Role passed as the schedules' target role. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
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
        actions: ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
        resources: [schedules],
      }),
    );
    if (Construct.isConstruct(principal)) {
      acknowledgeWildcardResource(
        principal,
        schedules,
        "Schedule names are content hashes made at run time (one per long sleep), so the grant covers the " +
          "schedules of Tideline's own group, and only CreateSchedule and DeleteSchedule.",
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
