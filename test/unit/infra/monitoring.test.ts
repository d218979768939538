/**
 * The stack's alarms, their topic and the dashboard (infra/stack/constructs/Monitoring.ts): each
 * alarm watches the metric AWS publishes for the right resource, at the stated threshold, and
 * notifies the encrypted topic; the dashboard reads the business metrics of shared/metrics.ts.
 * Synthesis skips esbuild here (stack.test.ts bundles); one stack per case, built once.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { ITERATOR_AGE_ALARM_DIVISOR } from "../../../infra/stack/constructs/Monitoring.js";
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE_DIMENSION } from "../../../shared/metrics.js";
import { FUNCTIONS, QUEUES, type QueueName, TABLES, type TableSpec } from "../../../shared/resources.js";
import {
  acknowledgements,
  type CfnResource,
  FUNCTION_NAMES,
  itHasNoNagFindings,
  logicalIdOf,
  resourcesOfType,
  type Synthesized,
  synthesize,
  TABLE_NAMES,
} from "./fixture.js";

const ALERT_EMAIL = "ops@example.com";
/** A stack name other than the metrics namespace, so the `service` dimension is seen to be it. */
const EMAIL_STACK = "TidelineOps";
const DEAD_LETTER_QUEUES = Object.values(QUEUES).flatMap((q) =>
  "deadLetter" in q ? [q.deadLetter.queueId as QueueName] : [],
);

interface Dimension {
  readonly Name: string;
  readonly Value: unknown;
}

interface MetricQuery {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions: Dimension[];
    };
    readonly Stat: string;
  };
}

interface AlarmProps {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: Dimension[];
  readonly Statistic?: string;
  readonly Metrics?: MetricQuery[];
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData: string;
  readonly AlarmDescription: string;
  readonly AlarmActions: unknown[];
  readonly OKActions: unknown[];
}

let fixture: Synthesized;
let withEmail: Synthesized;

beforeAll(() => {
  fixture = synthesize({}, { bundle: false });
  withEmail = synthesize({ alertEmail: ALERT_EMAIL }, { bundle: false, id: EMAIL_STACK });
}, 60_000);

const ref = (construct: IConstruct) => ({ Ref: logicalIdOf(fixture, construct) });
const getAtt = (construct: IConstruct, attr: string) => ({
  "Fn::GetAtt": [logicalIdOf(fixture, construct), attr],
});

function alarmProps(construct: IConstruct): AlarmProps {
  const resource: CfnResource | undefined = fixture.resources[logicalIdOf(fixture, construct)];
  if (!resource) throw new Error(`${construct.node.path} is not in the template`);
  return resource.Properties as unknown as AlarmProps;
}

const topicRef = () => ref(fixture.stack.monitoring.topic);

/** The shape every alarm shares: `>= threshold`, notifying the topic both ways, explained. */
function expectNotifies(alarm: AlarmProps): void {
  expect(alarm.ComparisonOperator).toBe("GreaterThanOrEqualToThreshold");
  expect(alarm.AlarmActions).toEqual([topicRef()]);
  expect(alarm.OKActions).toEqual([topicRef()]);
  expect(alarm.AlarmDescription.length).toBeGreaterThan(40);
}

describe("Monitoring alarms", () => {
  it.each(DEAD_LETTER_QUEUES)("alarms on the first message in the %s dead-letter queue", (name) => {
    const alarm = alarmProps(fixture.stack.monitoring.deadLetterAlarms[name] as IConstruct);

    expect(alarm).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: getAtt(fixture.stack.data.queues[name], "QueueName") }],
      Statistic: "Maximum",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
    expectNotifies(alarm);
  });

  it("alarms when the runner lags the event stream by a twelfth of the age at which it skips records", () => {
    const maxAgeMs = FUNCTIONS.runner.source.maxRecordAgeHours * 3600 * 1000;
    const alarm = alarmProps(fixture.stack.monitoring.iteratorAgeAlarms.events as IConstruct);

    expect(alarm).toMatchObject({
      Namespace: "AWS/Kinesis",
      MetricName: "GetRecords.IteratorAgeMilliseconds",
      Dimensions: [{ Name: "StreamName", Value: ref(fixture.stack.data.streams.events) }],
      Statistic: "Maximum",
      Threshold: maxAgeMs / ITERATOR_AGE_ALARM_DIVISOR,
    });
    // One hour today; well before the mapping gives records up.
    expect(alarm.Threshold).toBe(maxAgeMs / 12);
    expect(alarm.Threshold).toBeLessThanOrEqual(maxAgeMs / 2);
    expectNotifies(alarm);
  });

  it.each(FUNCTION_NAMES)("alarms on every error and every throttle of the %s function", (name) => {
    const { errors, throttles } = fixture.stack.monitoring.functionAlarms[name];
    const dimensions = [{ Name: "FunctionName", Value: ref(fixture.stack.functions[name].fn) }];

    for (const [alarm, metricName] of [
      [alarmProps(errors), "Errors"],
      [alarmProps(throttles), "Throttles"],
    ] as const) {
      expect(alarm).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: metricName,
        Dimensions: dimensions,
        Statistic: "Sum",
        Threshold: 1,
        TreatMissingData: "notBreaching",
      });
      expectNotifies(alarm);
    }
  });

  it("alarms on any 5xx answer of the HTTP API's stage", () => {
    const alarm = alarmProps(fixture.stack.monitoring.serverErrorAlarm);

    expect(alarm).toMatchObject({
      Namespace: "AWS/ApiGateway",
      MetricName: "5xx",
      Statistic: "Sum",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: "ApiId", Value: ref(fixture.stack.http.httpApi) },
        { Name: "Stage", Value: fixture.stack.http.stage.stageName },
      ]),
    );
    expect(alarm.Dimensions).toHaveLength(2);
    expectNotifies(alarm);
  });

  it.each(TABLE_NAMES)(
    "alarms on read and write throttle events of the %s table and each of its indexes",
    (name) => {
      const alarm = alarmProps(fixture.stack.monitoring.tableThrottleAlarms[name]);
      const queries = alarm.Metrics ?? [];
      const stats = queries.flatMap((q) => (q.MetricStat ? [q.MetricStat] : []));
      const table = ref(fixture.stack.data.tables[name]);
      const spec: TableSpec = TABLES[name];
      const indexes = (spec.indexes ?? []).map((i) => i.name);
      const expected = [undefined, ...indexes].flatMap((index) =>
        ["ReadThrottleEvents", "WriteThrottleEvents"].map((metricName) => ({
          metricName,
          dimensions: [
            ...(index ? [{ Name: "GlobalSecondaryIndexName", Value: index }] : []),
            { Name: "TableName", Value: table },
          ],
        })),
      );

      expect(
        stats.map((s) => ({ metricName: s.Metric.MetricName, dimensions: s.Metric.Dimensions })),
      ).toEqual(expect.arrayContaining(expected));
      expect(stats).toHaveLength(expected.length);
      expect(stats.every((s) => s.Metric.Namespace === "AWS/DynamoDB" && s.Stat === "Sum")).toBe(true);
      // The alarm reads one expression that adds every series above.
      const expression = queries.find((q) => q.Expression)?.Expression ?? "";
      const ids = queries.filter((q) => q.MetricStat).map((q) => q.Id);
      expect(expression).toMatch(/^SUM\(\[.*\]\)$/);
      for (const id of ids) expect(expression).toMatch(new RegExp(`\\b${id}\\b`));
      expect(alarm).toMatchObject({ Threshold: 1, TreatMissingData: "notBreaching" });
      expectNotifies(alarm);
    },
  );

  it.each([
    ["targetErrors", "TargetErrorCount"],
    ["dropped", "InvocationDroppedCount"],
    ["deadLetterFailures", "InvocationsFailedToBeSentToDeadLetterCount"],
  ] as const)("alarms on the schedule group's %s (%s)", (key, metricName) => {
    const alarm = alarmProps(fixture.stack.monitoring.schedulerAlarms[key]);
    const groupName =
      fixture.resources[logicalIdOf(fixture, fixture.stack.scheduling.group)]?.Properties?.Name;

    expect(alarm).toMatchObject({
      Namespace: "AWS/Scheduler",
      MetricName: metricName,
      Dimensions: [{ Name: "ScheduleGroup", Value: groupName }],
      Statistic: "Sum",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
    expectNotifies(alarm);
  });

  it("has no alarm that does not notify the topic, and no alarm left out of the construct's list", () => {
    const alarms = resourcesOfType(fixture, "AWS::CloudWatch::Alarm");

    expect(alarms).toHaveLength(fixture.stack.monitoring.alarms.length);
    for (const [, alarm] of alarms) expectNotifies(alarm.Properties as unknown as AlarmProps);
  });
});

describe("Monitoring topic", () => {
  const OWN_ALARMS_ONLY = {
    StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    ArnLike: {
      "aws:SourceArn": {
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            ":cloudwatch:",
            { Ref: "AWS::Region" },
            ":",
            { Ref: "AWS::AccountId" },
            ":alarm:*",
          ],
        ],
      },
    },
  };

  it("encrypts the topic with a rotated customer managed key that CloudWatch may use", () => {
    const key = fixture.stack.monitoring.key;

    fixture.template.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: getAtt(key, "Arn"),
    });
    fixture.template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Condition: OWN_ALARMS_ONLY,
          }),
        ]),
      },
    });
  });

  it("refuses publishing without TLS and lets only this account's alarms publish", () => {
    fixture.template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [topicRef()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Condition: OWN_ALARMS_ONLY,
          }),
        ]),
      },
    });
  });

  it("subscribes no one unless an alert email is given", () => {
    fixture.template.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("subscribes the alert email to the topic when given", () => {
    withEmail.template.resourceCountIs("AWS::SNS::Subscription", 1);
    withEmail.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: ALERT_EMAIL,
      TopicArn: withEmail.stack.resolve(withEmail.stack.monitoring.topic.topicArn),
    });
  });

  it("outputs the topic's ARN", () => {
    fixture.template.hasOutput("AlarmTopicArn", { Value: topicRef() });
  });
});

describe("Monitoring dashboard", () => {
  function dashboardBody(template: Template): string {
    const dashboards = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(dashboards).toHaveLength(1);
    return JSON.stringify(dashboards[0]?.Properties.DashboardBody);
  }

  it.each(Object.values(METRICS).map((m) => m.name))(
    "graphs the %s business metric of this stack (namespace and service dimension)",
    (metricName) => {
      // The body is a JSON string inside the template; stringified once more, its quotes are \".
      const metric = JSON.stringify([METRICS_NAMESPACE, metricName, METRICS_SERVICE_DIMENSION, EMAIL_STACK]);
      const escaped = JSON.stringify(metric.slice(1, -1)).slice(1, -1);

      expect(dashboardBody(withEmail.template)).toContain(escaped);
    },
  );

  it("graphs step latency at p50 and p99", () => {
    const body = dashboardBody(fixture.template);

    for (const stat of ["p50", "p99"]) {
      expect(body).toMatch(new RegExp(`${METRICS.stepLatency.name}[^\\]]*\\\\"stat\\\\":\\\\"${stat}\\\\"`));
    }
  });

  it("graphs the AWS metrics the alarms watch: queues, stream, Lambdas", () => {
    const body = dashboardBody(fixture.template);

    for (const name of [
      "ApproximateNumberOfMessagesVisible",
      "ApproximateAgeOfOldestMessage",
      "GetRecords.IteratorAgeMilliseconds",
      "Duration",
      "Errors",
      "ConcurrentExecutions",
    ]) {
      expect(body).toContain(name);
    }
  });
});

describe("Monitoring cdk-nag", () => {
  itHasNoNagFindings(
    () => withEmail.stack,
    "reports no unacknowledged %s findings for a stack with an alert email",
  );

  it("acknowledges only the email subscription's missing dead-letter queue, with a reason", () => {
    const acknowledged = acknowledgements(withEmail.stack.monitoring);

    expect(acknowledged.map(([id]) => id)).toEqual([expect.stringMatching(/\bServerless-SNSRedrivePolicy$/)]);
    expect(acknowledged[0]?.[1].length).toBeGreaterThan(40);
  });
});
