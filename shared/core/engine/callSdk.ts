import type { Clock } from "../../ports/index.js";
import type { Metrics } from "../../ports/metrics.js";
import { HEADERS } from "../../protocol/constants.js";
import { interpretSdkResponse, type SdkOutcome } from "../../protocol/sdkResponse.js";
import { signRequest, verifyResponseSignature } from "../../protocol/signature.js";

/** HTTP transport to the SDK (global fetch in production; injectable for unit tests). */
export type HttpCall = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; headers: Headers; text(): Promise<string> }>;

export interface SdkCallDeps {
  http: HttpCall;
  clock: Clock;
  /** Primary key first; the fallback is tried when checking response signatures. */
  signingKeys: string[];
  /**
   * Accept unsigned SDK responses although a signing key is set (SDKs too old to sign). Off by
   * default: with a key, an unsigned answer could come from anything that can reach the app's URL.
   */
  allowUnsignedResponses?: boolean;
  /** Counts each request made and its latency; nothing is recorded without it. */
  metrics?: Metrics;
}

export interface SdkCall {
  url: string;
  body: unknown;
  runId: string;
  stepId: string;
  requestVersion: number;
  timeoutMs: number;
  /** W3C trace context (traceparent, tracestate) for the SDK's tracing middleware. */
  trace?: { parent: string; state: string };
}

/**
 * One signed execution request to the app (PROTOCOL 4) and its interpreted answer. Network
 * failures, timeouts and bad or missing response signatures come back as transport outcomes.
 */
export async function callSdk(deps: SdkCallDeps, req: SdkCall): Promise<SdkOutcome> {
  const [key] = deps.signingKeys;
  const nowSeconds = Math.floor(deps.clock.now() / 1000);
  const signed = key
    ? signRequest(req.body, key, nowSeconds)
    : { body: JSON.stringify(req.body), signature: "" };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [HEADERS.runId]: req.runId,
    [HEADERS.stepId]: req.stepId,
    [HEADERS.reqVersion]: String(req.requestVersion),
  };
  if (signed.signature) headers[HEADERS.signature] = signed.signature;
  if (req.trace) {
    headers[HEADERS.traceParent] = req.trace.parent;
    headers[HEADERS.traceState] = req.trace.state;
  }
  try {
    const { res, text } = await timedRequest(deps, req.url, {
      method: "POST",
      headers,
      body: signed.body,
      signal: AbortSignal.timeout(Math.max(1000, req.timeoutMs)),
    });
    if (key) {
      const signature = res.headers.get(HEADERS.signature);
      if (!signature && !deps.allowUnsignedResponses) {
        return { kind: "transport", message: "SDK response is not signed, and a signing key is set" };
      }
      if (signature && !verifyResponseSignature(text, signature, deps.signingKeys)) {
        return { kind: "transport", message: "SDK response signature is invalid" };
      }
    }
    return interpretSdkResponse({ status: res.status, headers: res.headers, body: text }, deps.clock.now());
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { kind: "transport", message: `request to the SDK failed: ${message}` };
  }
}

/**
 * The request and its body, counted as one step executed with its latency (send to the last byte
 * of the answer), whether or not an answer came: a timeout is a step that took that long.
 */
async function timedRequest(
  deps: SdkCallDeps,
  url: string,
  init: Parameters<HttpCall>[1],
): Promise<{ res: Awaited<ReturnType<HttpCall>>; text: string }> {
  const sentAt = deps.clock.now();
  try {
    const res = await deps.http(url, init);
    return { res, text: await res.text() };
  } finally {
    deps.metrics?.count("stepsExecuted");
    deps.metrics?.duration("stepLatency", deps.clock.now() - sentAt);
  }
}
