/**
 * What tells an operator that Tideline needs attention: one alarm per failure signal AWS publishes
 * for the stack's resources, all notifying one encrypted SNS topic (ALARM and OK), with an optional
 * email subscription, and the CloudWatch dashboard (monitoringDashboard.ts). Alarms are built by
 * walking the resource manifest (shared/resources.ts), so a new queue, table or function is
 * watched without an edit here.
 */
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import {
  type FunctionName,
  QUEUES,
  type QueueName,
  type QueueSpec,
  type StreamName,
  TABLES,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";
import { type DataStores, deadLetterQueues, fromManifest } from "./DataStores.js";
import type { HttpEndpoints } from "./HttpEndpoints.js";
import { buildDashboard } from "./monitoringDashboard.js";
import type { Scheduling } from "./Scheduling.js";
import type { TidelineFunction } from "./TidelineFunction.js";

/** Standard resolution: every alarm here costs its list price per metric ($0.10/month). */
const ALARM_PERIOD = Duration.minutes(5);

/**
 * The iterator-age alarm fires once records have waited this fraction (1/n) of the age at which
 * the stream mapping gives up on them (`maxRecordAgeHours`): 1 h of 12 h, leaving 11 h to act
 * before the runner skips records to the failure bucket.
 */
export const ITERATOR_AGE_ALARM_DIVISOR = 12;

export interface MonitoringProps {
  readonly data: DataStores;
  readonly scheduling: Scheduling;
  readonly functions: Record<FunctionName, TidelineFunction>;
  readonly http: HttpEndpoints;
  /** Subscribed to the alarm topic when given (AWS mails a confirmation link first). */
  readonly alertEmail?: string;
}

export interface FunctionAlarms {
  readonly errors: Alarm;
  readonly throttles: Alarm;
}

export interface SchedulerAlarms {
  readonly targetErrors: Alarm;
  readonly dropped: Alarm;
  readonly deadLetterFailures: Alarm;
}

/** The function whose event source is `queue`, for the alarm text. */
function consumerOf(functions: Record<FunctionName, TidelineFunction>, queue: QueueName): string {
  const consumer = Object.values<TidelineFunction>(functions).find(
    ({ spec }) => spec.source.kind === "queue" && spec.source.queue === queue,
  );
  return consumer?.spec.id ?? "consumer";
}

export class Monitoring extends Construct {
  /** Every alarm notifies this topic, on ALARM and on OK. */
  readonly topic: Topic;
  /** Customer managed key of the topic (CloudWatch cannot publish with `alias/aws/sns`). */
  readonly key: Key;
  readonly deadLetterAlarms: Partial<Record<QueueName, Alarm>>;
  /** One per stream a function reads, keyed by stream. */
  readonly iteratorAgeAlarms: Partial<Record<StreamName, Alarm>>;
  readonly functionAlarms: Record<FunctionName, FunctionAlarms>;
  readonly serverErrorAlarm: Alarm;
  readonly tableThrottleAlarms: Record<TableName, Alarm>;
  readonly schedulerAlarms: SchedulerAlarms;
  readonly dashboard: Dashboard;
  private readonly action: SnsAction;
  private readonly all: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.key = this.topicKey();
    this.topic = this.alarmTopic(this.key);
    if (props.alertEmail) this.subscribe(props.alertEmail);
    this.action = new SnsAction(this.topic);

    this.deadLetterAlarms = this.deadLetterDepth(props.data, props.functions);
    this.iteratorAgeAlarms = this.iteratorAge(props.data, props.functions);
    this.functionAlarms = this.lambdaAlarms(props.functions);
    this.serverErrorAlarm = this.alarm("HttpServerErrors", {
      metric: props.http.stage.metricServerError({ period: ALARM_PERIOD }),
      description:
        "The HTTP API answered 5xx (a Lambda behind it failed, timed out or was throttled); check the " +
        "EventApi and Api function alarms and the API access logs.",
    });
    this.tableThrottleAlarms = this.tableThrottles(props.data);
    this.schedulerAlarms = this.schedulerFailures(props.scheduling);

    this.dashboard = buildDashboard(this, "Dashboard", {
      service: Stack.of(this).stackName,
      data: props.data,
      functions: props.functions,
      alarms: this.all,
    });
  }

  /** Every alarm of the construct. */
  get alarms(): readonly Alarm[] {
    return this.all;
  }

  /**
   * A customer managed key: CloudWatch alarms publish to an encrypted topic only if the key policy
   * lets cloudwatch.amazonaws.com use the key, which the AWS managed `alias/aws/sns` key never
   * does. Costs $1 a month (plus requests, a few per alarm transition).
   */
  private topicKey(): Key {
    const key = new Key(this, "TopicKey", {
      description: "Encrypts Tideline's alarm topic; CloudWatch alarms may use it to publish",
      enableKeyRotation: true,
      // Only notifications in flight are encrypted with it; nothing is lost when it goes.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: this.ownAlarmsOnly(),
      }),
    );
    return key;
  }

  private alarmTopic(key: Key): Topic {
    const topic = new Topic(this, "AlarmTopic", {
      displayName: `${Stack.of(this).stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one, so the alarms of this
    // account need an explicit grant to publish.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: this.ownAlarmsOnly(),
      }),
    );
    return topic;
  }

  /** Confused-deputy guard: CloudWatch acts here only for alarms of this account and region. */
  private ownAlarmsOnly(): Record<string, Record<string, string>> {
    const { account, partition, region } = Stack.of(this);
    return {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
    };
  }

  private subscribe(email: string): void {
    const subscription = this.topic.addSubscription(new EmailSubscription(email));
    Validations.of(subscription).acknowledge({
      id: "Serverless-SNSRedrivePolicy",
      reason:
        "An alarm email SNS cannot deliver has no later use: the alarm's state stays in CloudWatch and on " +
        "the dashboard, and a dead-letter queue for it would need an alarm of its own, sent to this topic.",
    });
  }

  /**
   * An alarm at `value >= threshold` that notifies the topic on ALARM and on OK. The threshold is 1
   * unless given: most metrics here count failures, and one is already worth a look.
   */
  private alarm(
    id: string,
    opts: {
      metric: IMetric;
      threshold?: number;
      description: string;
      treatMissingData?: TreatMissingData;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: opts.metric,
      threshold: opts.threshold ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // Error counts: no data point means nothing failed.
      treatMissingData: opts.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: opts.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.all.push(alarm);
    return alarm;
  }

  /**
   * A message in a dead-letter queue is work that failed `maxReceiveCount` times. SQS stops
   * publishing the metrics of an empty queue nobody touches, so missing data means empty.
   */
  private deadLetterDepth(
    data: DataStores,
    functions: Record<FunctionName, TidelineFunction>,
  ): Partial<Record<QueueName, Alarm>> {
    const alarms: Partial<Record<QueueName, Alarm>> = {};
    for (const { dlq, source } of deadLetterQueues()) {
      const spec: QueueSpec = QUEUES[dlq];
      const consumer = consumerOf(functions, source);
      alarms[dlq] = this.alarm(`${spec.id}Depth`, {
        metric: data.queues[dlq].metricApproximateNumberOfMessagesVisible({
          period: ALARM_PERIOD,
          statistic: "Maximum",
        }),
        description:
          `The ${spec.id} queue holds ${spec.purpose}; read the ${consumer} function's logs for the ` +
          "cause, fix it, then redrive the messages to their queue (SQS console) or purge them.",
      });
    }
    return alarms;
  }

  /**
   * How far behind the stream's reader is. The threshold comes from the reading function's
   * `maxRecordAgeHours`. Kinesis publishes the metric only while someone calls GetRecords, so
   * missing data keeps the last state rather than clearing an alarm.
   */
  private iteratorAge(
    data: DataStores,
    functions: Record<FunctionName, TidelineFunction>,
  ): Partial<Record<StreamName, Alarm>> {
    const alarms: Partial<Record<StreamName, Alarm>> = {};
    for (const { spec } of Object.values<TidelineFunction>(functions)) {
      if (spec.source.kind !== "stream") continue;
      const { stream, maxRecordAgeHours } = spec.source;
      const threshold = Duration.seconds((maxRecordAgeHours * 3600) / ITERATOR_AGE_ALARM_DIVISOR);
      alarms[stream] = this.alarm(`${spec.id}IteratorAge`, {
        metric: data.streams[stream].metricGetRecordsIteratorAgeMilliseconds({
          period: ALARM_PERIOD,
          statistic: "Maximum",
        }),
        threshold: threshold.toMilliseconds(),
        treatMissingData: TreatMissingData.IGNORE,
        description:
          `The ${spec.id} function is more than ${threshold.toHumanString()} behind the ${stream} ` +
          `stream and skips records older than ${maxRecordAgeHours} hours to S3; check its errors, ` +
          "throttles and duration.",
      });
    }
    return alarms;
  }

  private lambdaAlarms(
    functions: Record<FunctionName, TidelineFunction>,
  ): Record<FunctionName, FunctionAlarms> {
    return fromManifest<FunctionName, TidelineFunction, FunctionAlarms>(functions, ({ spec, fn }) => ({
      errors: this.alarm(`${spec.id}Errors`, {
        metric: fn.metricErrors({ period: ALARM_PERIOD }),
        description:
          `The ${spec.id} function (${spec.description}) failed invocations with an uncaught error ` +
          "or a timeout; read its log group for the error.",
      }),
      throttles: this.alarm(`${spec.id}Throttles`, {
        metric: fn.metricThrottles({ period: ALARM_PERIOD }),
        description:
          `Lambda throttled the ${spec.id} function (its reserved concurrency or the account's limit ` +
          "was reached); find the burst on the dashboard, then raise the limit or the quota.",
      }),
    }));
  }

  /**
   * On-demand tables throttle at a partition's limits (hot keys) or at the account's table limits.
   * AWS publishes per-event ReadThrottleEvents and WriteThrottleEvents for the table (dimension
   * TableName) and for each index (plus GlobalSecondaryIndexName); the table's figure leaves out
   * its indexes, and a throttled index write throttles the table write too, so the alarm sums all
   * of them. (ThrottledRequests exists only per Operation and misses events inside batches.)
   */
  private tableThrottles(data: DataStores): Record<TableName, Alarm> {
    return fromManifest<TableName, TableSpec, Alarm>(TABLES, (spec, name) => {
      const tableName = data.tables[name].tableName;
      const scopes: Record<string, string>[] = [
        { TableName: tableName },
        ...(spec.indexes ?? []).map((i) => ({ TableName: tableName, GlobalSecondaryIndexName: i.name })),
      ];
      const usingMetrics: Record<string, IMetric> = {};
      scopes.forEach((dimensionsMap, i) => {
        for (const metricName of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
          usingMetrics[`${metricName.startsWith("Read") ? "r" : "w"}${i}`] = new Metric({
            namespace: "AWS/DynamoDB",
            metricName,
            dimensionsMap,
            statistic: "Sum",
            period: ALARM_PERIOD,
          });
        }
      });
      return this.alarm(`${spec.id}TableThrottles`, {
        // SUM([...]) adds what is there; `a + b` would drop a period in which one series is empty.
        metric: new MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(", ")}])`,
          usingMetrics,
          label: `${spec.id} throttle events`,
          period: ALARM_PERIOD,
        }),
        description:
          `Requests to the ${spec.id} table or its indexes were throttled (a hot partition key or an ` +
          "account limit); find the cause in the per-reason throttle metrics (KeyRange, AccountLimit).",
      });
    });
  }

  /**
   * A failed SendMessage to the timers queue is retried (TargetErrorCount); after the retries
   * Scheduler gives up (InvocationDroppedCount) and puts the timer on the schedule's dead-letter
   * queue, the timers DLQ, whose depth alarm then fires too, unless that send fails as well
   * (InvocationsFailedToBeSentToDeadLetterCount): then the timer is gone.
   */
  private schedulerFailures(scheduling: Scheduling): SchedulerAlarms {
    const group = scheduling.group;
    return {
      targetErrors: this.alarm("SchedulerTargetErrors", {
        metric: group.metricTargetErrors({ period: ALARM_PERIOD }),
        description:
          "EventBridge Scheduler could not send a timer to the timers queue (it retries); check the " +
          "Scheduler target role and the timers queue.",
      }),
      dropped: this.alarm("SchedulerDropped", {
        metric: group.metricDropped({ period: ALARM_PERIOD }),
        description:
          "EventBridge Scheduler gave up delivering a timer (a long sleep, timeout or cron trigger) and " +
          "moved it to the timers dead-letter queue; fix the delivery error, then redrive that queue.",
      }),
      deadLetterFailures: this.alarm("SchedulerDeadLetterFailures", {
        metric: group.metricFailedToBeSentToDLQ(undefined, { period: ALARM_PERIOD }),
        description:
          "EventBridge Scheduler could deliver a timer neither to the timers queue nor to its dead-letter " +
          "queue, so the timer is lost; fix both queues' access and check the affected runs.",
      }),
    };
  }
}
