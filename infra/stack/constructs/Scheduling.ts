/**
 * EventBridge Scheduler: the schedule group that holds Tideline's one-time `at()` schedules (sleeps
 * longer than SQS's 15-minute delay) and the role Scheduler assumes to deliver them to the timers
 * queue. The role may do exactly one thing: send a message to that queue.
 */
import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { type IGrantable, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

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
          statements: [new PolicyStatement({ actions: ["sqs:SendMessage"], resources: [props.timersQueue.queueArn] })],
        }),
      },
    });
  }

  /** Lets `grantee` create and delete schedules in the group, and pass only the target role. */
  grantManageSchedules(grantee: IGrantable): void {
    this.group.grant(grantee, "scheduler:CreateSchedule", "scheduler:DeleteSchedule");
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["iam:PassRole"],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
      }),
    );
  }
}
