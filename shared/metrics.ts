/**
 * The business metrics Tideline publishes (CloudWatch embedded metric format, through Powertools
 * Metrics in the handlers) and the CloudWatch dashboard reads. One list, so the two never drift:
 * the stack's dashboard and alarms name metrics only from here, and the handlers emit only these.
 */

/** CloudWatch namespace of every Tideline business metric. */
export const METRICS_NAMESPACE = "Tideline";

/**
 * The one dimension: the stack name, so two stacks in one account keep separate figures. Handlers
 * read it from POWERTOOLS_SERVICE_NAME (Powertools' `service` dimension), which the stack sets.
 */
export const METRICS_SERVICE_DIMENSION = "service";

export const METRICS = {
  eventsAccepted: {
    name: "EventsAccepted",
    unit: "Count",
    purpose: "events the event API put on the stream",
  },
  runsStarted: { name: "RunsStarted", unit: "Count", purpose: "runs created by the runner, timers or API" },
  runsCompleted: { name: "RunsCompleted", unit: "Count", purpose: "runs that ended Completed" },
  runsFailed: { name: "RunsFailed", unit: "Count", purpose: "runs that ended Failed" },
  runsCancelled: { name: "RunsCancelled", unit: "Count", purpose: "runs that ended Cancelled" },
  stepsExecuted: { name: "StepsExecuted", unit: "Count", purpose: "SDK requests the executor made" },
  stepLatency: {
    name: "StepLatency",
    unit: "Milliseconds",
    purpose: "wall time of one SDK request, from send to its answer",
  },
} as const;

export type MetricName = keyof typeof METRICS;
