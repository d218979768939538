/**
 * Dev mode has no keys, so any web page a developer opens could make their browser POST to
 * localhost:8288 (a text/plain POST needs no CORS preflight) and register a function, sync an
 * app URL or send events. Browsers say where a request comes from; a state-changing request from
 * a page that is not on the developer's own machine is refused. Tools (the SDKs, curl) send no
 * Origin and are not affected.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Why a request must be refused as cross-site, or undefined when it may go on. The Origin decides
 * when there is one (a page on another local port, e.g. 127.0.0.1:3000, is a different site to the
 * browser but on the developer's own machine); without it, a browser's `Sec-Fetch-Site: cross-site`.
 */
export function crossSiteProblem(
  method: string,
  headers: Record<string, string | undefined>,
): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const refusal = "cross-site browser requests may not change state on tideline dev";
  const origin = headers.origin;
  if (origin === undefined) {
    return headers["sec-fetch-site"]?.toLowerCase() === "cross-site" ? refusal : undefined;
  }
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return `${refusal} (Origin ${origin})`; // "null" (sandboxed frames, file://) included
  }
  return isLocalHost(hostname) ? undefined : `${refusal} (Origin ${origin})`;
}
