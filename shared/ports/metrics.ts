/**
 * The business figures the core reports (shared/metrics.ts names them). The handlers publish them
 * as CloudWatch embedded metrics; elsewhere (tests, `tideline dev`) nothing is recorded.
 */
import type { METRICS, MetricName } from "../metrics.js";

/** The metrics that add up occurrences. */
export type CountMetric = {
  [K in MetricName]: (typeof METRICS)[K]["unit"] extends "Count" ? K : never;
}[MetricName];

/** The metrics that record a duration. */
export type DurationMetric = {
  [K in MetricName]: (typeof METRICS)[K]["unit"] extends "Milliseconds" ? K : never;
}[MetricName];

export interface Metrics {
  /** Adds `n` (default 1) occurrences, e.g. `count("eventsAccepted", events.length)`. */
  count(name: CountMetric, n?: number): void;
  /** Records one duration, e.g. `duration("stepLatency", answeredAt - sentAt)`. */
  duration(name: DurationMetric, ms: number): void;
}

/** Records nothing: the default wherever no Metrics is given. */
export const noMetrics: Metrics = {
  count: () => {},
  duration: () => {},
};
