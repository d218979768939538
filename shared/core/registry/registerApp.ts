import { createHash, randomUUID } from "node:crypto";
import { UnauthorizedError, ValidationError } from "../../domain/errors.js";
import { stableUuid } from "../../domain/ids.js";
import { tryParseJson } from "../../domain/json.js";
import type { AppRecord, FunctionRecord } from "../../domain/schemas.js";
import type { Clock, RegistryStore } from "../../ports/index.js";
import { parseRegistration } from "../../protocol/register.js";
import { bearerMatches, canonicalJson } from "../../protocol/signature.js";

export interface RegisterDeps {
  registry: RegistryStore;
  clock: Clock;
  mode: "dev" | "cloud";
  signingKeys: string[];
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
  if (modified) await deps.registry.putAppSync(app, functions, previous);
  return { ok: true, modified, app_id: stableUuid(`app:${reg.appId}`), sync_id: randomUUID(), status: 200 };
}

/** Server-initiated sync: PUT the app URL; the SDK then calls `/fn/register` and relays our verdict. */
export async function syncAppByUrl(
  url: string,
  http: (
    url: string,
    init: { method: string; signal: AbortSignal },
  ) => Promise<{ status: number; text(): Promise<string> }>,
): Promise<{ status: number; body: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`url is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new ValidationError("url must be http(s)");
  const res = await http(parsed.toString(), { method: "PUT", signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text() };
}
