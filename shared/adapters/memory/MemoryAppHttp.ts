import type { AppHttp, AppHttpResult } from "../../ports/index.js";

/** A scripted app, by host name and port, for what an answer must be (`ok: true` results). */
export type ScriptedAnswer = Extract<AppHttpResult, { ok: true }>;

/**
 * App URLs in memory: each known origin answers with its script; an unknown one is unreachable.
 * Addresses are the host names themselves (no DNS): `refuseAddress` sees the URL's host.
 */
export class MemoryAppHttp implements AppHttp {
  private readonly apps = new Map<string, ScriptedAnswer>();
  /** Every request made, in order. */
  readonly requests: { method: string; url: string }[] = [];

  answer(origin: string, result: ScriptedAnswer): this {
    this.apps.set(new URL(origin).origin, result);
    return this;
  }

  async request(url: URL, opts: Parameters<AppHttp["request"]>[1]): Promise<AppHttpResult> {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const why = opts.refuseAddress?.(host);
    if (why) return { ok: false, refused: true, reason: `${host} is a ${why} address` };
    this.requests.push({ method: opts.method, url: url.toString() });
    const app = this.apps.get(url.origin);
    return app
      ? structuredClone(app)
      : { ok: false, refused: false, reason: "connection refused (ECONNREFUSED)" };
  }
}
