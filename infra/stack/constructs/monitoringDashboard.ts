/**
 * The CloudWatch dashboard of one Tideline stack: the business metrics the handlers publish
 * (shared/metrics.ts, namespace `Tideline`, dimension `service` = stack name) on the first row, then
 * the queues and the event stream, the Lambdas, and the state of every alarm. Widgets are built from
 * the manifest, like the alarms, so new queues and functions appear without an edit here.
 */
import { Aws, Duration } from "aws-cdk-lib";
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  type MetricOptions,
} from "aws-cdk-lib/aws-cloudwatch";
import type { Construct } from "constructs";
import {
  METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE_DIMENSION,
  type MetricName,
} from "../../../shared/metrics.js";
import {
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  type QueueName,
  type QueueSpec,
  type StreamName,
} from "../../../shared/resources.js";
import { type DataStores, deadLetterQueues } from "./DataStores.js";
import type { TidelineFunction } from "./TidelineFunction.js";

export interface DashboardProps {
  /** Value of the business metrics' `service` dimension: the stack name. */
  readonly service: string;
  readonly data: DataStores;
  readonly functions: Record<FunctionName, TidelineFunction>;
  readonly alarms: readonly Alarm[];
}

const PERIOD = Duration.minutes(5);
/** The dashboard grid is 24 units wide; four graphs a row. */
const WIDTH = 6;
const HEIGHT = 6;

/** One business metric of shared/metrics.ts for this stack. */
function businessMetric(service: string, name: MetricName, opts: MetricOptions = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRICS[name].name,
    dimensionsMap: { [METRICS_SERVICE_DIMENSION]: service },
    statistic: "Sum",
    period: PERIOD,
    label: METRICS[name].name,
    ...opts,
  });
}

function graph(title: string, left: IMetric[], right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });
}

function businessRow(service: string): GraphWidget[] {
  const sum = (name: MetricName) => businessMetric(service, name);
  return [
    graph("Events accepted", [sum("eventsAccepted")]),
    graph("Runs", [sum("runsStarted"), sum("runsCompleted"), sum("runsFailed"), sum("runsCancelled")]),
    graph("Steps executed", [sum("stepsExecuted")]),
    graph("Step latency (ms)", [
      businessMetric(service, "stepLatency", { statistic: "p50", label: "p50" }),
      businessMetric(service, "stepLatency", { statistic: "p99", label: "p99" }),
    ]),
  ];
}

function queueRow(data: DataStores): GraphWidget[] {
  const entries = Object.entries(QUEUES) as [QueueName, QueueSpec][];
  const deadLetters = new Set(deadLetterQueues().map(({ dlq }) => dlq));
  const max = { statistic: "Maximum", period: PERIOD };
  const work = entries
    .filter(([name]) => !deadLetters.has(name))
    .map(([name, spec]) =>
      graph(
        `${spec.id} queue: depth (left), oldest message age in s (right)`,
        [data.queues[name].metricApproximateNumberOfMessagesVisible({ ...max, label: "visible" })],
        [data.queues[name].metricApproximateAgeOfOldestMessage({ ...max, label: "oldest (s)" })],
      ),
    );
  const dlqs = graph(
    "Dead-letter queues: depth",
    entries
      .filter(([name]) => deadLetters.has(name))
      .map(([name, spec]) =>
        data.queues[name].metricApproximateNumberOfMessagesVisible({ ...max, label: spec.id }),
      ),
  );
  const streams = graph(
    "Event stream iterator age (ms)",
    (Object.keys(data.streams) as StreamName[]).map((name) =>
      data.streams[name].metricGetRecordsIteratorAgeMilliseconds({ ...max, label: name }),
    ),
  );
  return [...work, dlqs, streams];
}

function lambdaRow(functions: Record<FunctionName, TidelineFunction>): GraphWidget[] {
  const each = (metric: (f: TidelineFunction) => IMetric): IMetric[] =>
    (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => metric(functions[name]));
  return [
    graph(
      "Lambda duration p99 (ms)",
      each((f) => f.fn.metricDuration({ statistic: "p99", period: PERIOD, label: f.spec.id })),
    ),
    graph(
      "Lambda errors",
      each((f) => f.fn.metricErrors({ period: PERIOD, label: f.spec.id })),
    ),
    graph(
      "Lambda throttles",
      each((f) => f.fn.metricThrottles({ period: PERIOD, label: f.spec.id })),
    ),
    graph(
      "Lambda concurrent executions",
      each((f) =>
        f.fn.metric("ConcurrentExecutions", { statistic: "Maximum", period: PERIOD, label: f.spec.id }),
      ),
    ),
  ];
}

export function buildDashboard(scope: Construct, id: string, props: DashboardProps): Dashboard {
  const dashboard = new Dashboard(scope, id, {
    // Dashboard names are global to the account, so the region keeps two deployments apart.
    dashboardName: `${props.service}-${Aws.REGION}`,
  });
  dashboard.addWidgets(...businessRow(props.service));
  dashboard.addWidgets(...queueRow(props.data));
  dashboard.addWidgets(...lambdaRow(props.functions));
  dashboard.addWidgets(
    new AlarmStatusWidget({ title: "Alarms", alarms: [...props.alarms], width: 24, height: HEIGHT }),
  );
  return dashboard;
}
