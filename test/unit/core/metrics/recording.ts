/** A Metrics port that keeps what the core reports, for assertions. */
import type { CountMetric, DurationMetric, Metrics } from "../../../../shared/ports/metrics.js";

export interface RecordingMetrics extends Metrics {
  /** Sum of the counts reported per metric (absent: never reported). */
  readonly counts: Partial<Record<CountMetric, number>>;
  /** Every duration reported, per metric, in order. */
  readonly durations: Partial<Record<DurationMetric, number[]>>;
}

export function recordingMetrics(): RecordingMetrics {
  const counts: Partial<Record<CountMetric, number>> = {};
  const durations: Partial<Record<DurationMetric, number[]>> = {};
  return {
    counts,
    durations,
    count(name, n = 1) {
      counts[name] = (counts[name] ?? 0) + n;
    },
    duration(name, ms) {
      durations[name] = [...(durations[name] ?? []), ms];
    },
  };
}
