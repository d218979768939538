/**
 * The core's Metrics port over Powertools Metrics: figures are buffered during an invocation and
 * printed as one CloudWatch EMF line when it ends (`publishMetrics`, called by handlerWith), in the
 * namespace and with the `service` dimension (the stack name) that shared/metrics.ts fixes.
 * Outside a deployed function the port records nothing.
 */
import { Metrics as Emf, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS, METRICS_NAMESPACE } from "../shared/metrics.js";
import { type Metrics, noMetrics } from "../shared/ports/metrics.js";
import { isDeployedFunction } from "./runtime.js";

/** A Powertools Metrics for Tideline's figures; POWERTOOLS_METRICS_DISABLED still silences it. */
export function createEmf(env: NodeJS.ProcessEnv = process.env): Emf {
  return new Emf({ namespace: METRICS_NAMESPACE, serviceName: env.POWERTOOLS_SERVICE_NAME ?? "tideline" });
}

/** The port over `emf`: each call buffers one value under the metric's fixed name and unit. */
export function emfMetrics(emf: Emf): Metrics {
  return {
    count: (name, n = 1) => emf.addMetric(METRICS[name].name, MetricUnit.Count, n),
    duration: (name, ms) => emf.addMetric(METRICS[name].name, MetricUnit.Milliseconds, ms),
  };
}

const emf = isDeployedFunction() ? createEmf() : undefined;

/** This process's metrics: Powertools on Lambda in cloud mode, nothing elsewhere. */
export const metrics: Metrics = emf ? emfMetrics(emf) : noMetrics;

/**
 * Prints what the invocation recorded. Powertools' own middleware is not used: it logs a warning
 * on every invocation that recorded nothing (most API requests).
 */
export function publishMetrics(target: Emf | undefined = emf): void {
  if (target?.hasStoredMetrics()) target.publishStoredMetrics();
}
