import { createHash, randomUUID } from "node:crypto";
import { BadGatewayError, UnauthorizedError, ValidationError } from "../../domain/errors.js";
import { stableUuid } from "../../domain/ids.js";
import { tryParseJson } from "../../domain/json.js";
import type { AppRecord, FunctionRecord } from "../../domain/schemas.js";
import type { AppHttp, Clock, CronSchedules, RegistryStore, TimerService } from "../../ports/index.js";
import { parseRegistration } from "../../protocol/register.js";
import { bearerMatches, canonicalJson } from "../../protocol/signature.js";
import { syncCronTriggers } from "../cron/syncCrons.js";
import { refusedAddress, syncUrl } from "./syncTarget.js";

export interface RegisterDeps {
  registry: RegistryStore;
  clock: Clock;
  mode: "dev" | "cloud";
  signingKeys: string[];
  /** Cron triggers' schedules, synced after each changed sync (without them crons never fire). */
  cronSchedules?: CronSchedules;
  /** Starts the tick chains of crons Scheduler cannot express (needed with cronSchedules). */
  timers?: TimerService;
}

export interface RegisterReply {
  ok: true;
  modified: boolean;
  app_id: string;
  sync_id: string;
  status: 200;
}

/**
 * `POST /fn/register`: validate the SDK's app config, store it, and replace the app's previous
 * functions. Re-sending an identical config is answered `modified: false`.
 */
export async function registerApp(
  deps: RegisterDeps,
  req: { body: string; authorization?: string },
): Promise<RegisterReply> {
  if (deps.mode === "cloud" && !bearerMatches(req.authorization, deps.signingKeys)) {
    throw new UnauthorizedError("Invalid or missing signing key");
  }
  const json = tryParseJson(req.body);
  if (!json.ok) throw new ValidationError("Request body must be a JSON app registration");
  const parsed = parseRegistration(json.value);
  if (!parsed.ok) throw new ValidationError(parsed.error);
  const reg = parsed.value;
  const now = deps.clock.now();
  const checksum = createHash("sha256")
    .update(canonicalJson({ url: reg.url, functions: reg.functions.map((f) => f.config) }))
    .digest("hex");
  const previous = await deps.registry.getApp(reg.appId);
  const app: AppRecord = {
    appId: reg.appId,
    url: reg.url,
    sdk: reg.sdk,
    ...(reg.framework ? { framework: reg.framework } : {}),
    ...(reg.appVersion ? { appVersion: reg.appVersion } : {}),
    functionSlugs: reg.functions.map((f) => f.slug),
    checksum,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  const functions: FunctionRecord[] = reg.functions.map((f) => ({
    slug: f.slug,
    appId: reg.appId,
    name: f.name,
    internalId: stableUuid(`fn:${f.slug}`),
    triggers: f.triggers,
    url: f.url,
    retries: f.retries,
    config: f.config,
    updatedAt: now,
  }));
  const modified = previous?.checksum !== checksum;
  const { cronSchedules, timers } = deps;
  // Crons first: the registry write stores the checksum, and a sync whose cron schedules failed
  // must not look unmodified when it is sent again. Schedules ahead of the registry are harmless
  // (a tick whose function or cron is not stored does nothing).
  if (modified && cronSchedules && timers) {
    const removed = (previous?.functionSlugs ?? []).filter((slug) => !app.functionSlugs.includes(slug));
    await syncCronTriggers({ cronSchedules, timers, clock: deps.clock }, functions, removed);
  }
  if (modified) await deps.registry.putAppSync(app, functions, previous);
  return { ok: true, modified, app_id: stableUuid(`app:${reg.appId}`), sync_id: randomUUID(), status: 200 };
}

/** How long the app may take to answer a sync request (it calls /fn/register meanwhile). */
const SYNC_TIMEOUT_MS = 30_000;

/**
 * Server-initiated sync: PUT the app URL; the SDK then calls `/fn/register` and relays our verdict.
 * Redirects are never followed (a sync must name the app's own URL). In cloud mode the URL may not
 * lead to link-local, metadata, loopback or unspecified addresses (syncTarget.ts). An app that
 * cannot be reached is a 502 naming what failed.
 */
export async function syncAppByUrl(
  deps: { appHttp: AppHttp; mode: "dev" | "cloud" },
  rawUrl: string,
): Promise<{ status: number; body: string }> {
  const url = syncUrl(rawUrl);
  const res = await deps.appHttp.request(url, {
    method: "PUT",
    timeoutMs: SYNC_TIMEOUT_MS,
    ...(deps.mode === "cloud" ? { refuseAddress: refusedAddress } : {}),
  });
  if (!res.ok) {
    if (res.refused) throw new ValidationError(`url is refused in cloud mode: ${res.reason}`);
    throw new BadGatewayError(`could not reach the app at ${url.origin}: ${res.reason}`);
  }
  if (res.status >= 300 && res.status < 400) {
    throw new BadGatewayError(
      `the app answered ${res.status}${res.location ? ` (a redirect to ${res.location})` : ""}; ` +
        "redirects are not followed: sync the app's own URL",
    );
  }
  return { status: res.status, body: res.body };
}
