/**
 * The W3C trace context Tideline sends with every execution request. The SDK's tracing middleware
 * only exports the app's own spans when the request carries a `traceparent`, and reads the app
 * and function ids from `tracestate` (Inngest's `inngest@app` / `inngest@fn` keys).
 */
import { createHash } from "node:crypto";

const hex = (seed: string, chars: number) => createHash("sha256").update(seed).digest("hex").slice(0, chars);

/** The run's trace id (32 hex), stable for the run. */
export function runTraceId(runId: string): string {
  return hex(`trace:${runId}`, 32);
}

/** `traceparent` for one request: the run's trace, a span id unique to the request, sampled. */
export function traceParent(runId: string, requestKey: string): string {
  return `00-${runTraceId(runId)}-${hex(`span:${runId}:${requestKey}`, 16)}-01`;
}

/** `tracestate` naming the app and function, as the SDK expects to find them. */
export function traceState(appId: string, functionId: string): string {
  const safe = (v: string) => v.replace(/[^\x20-\x7e]|[,=]/g, "_");
  return `inngest@app=${safe(appId)},inngest@fn=${safe(functionId)}`;
}
