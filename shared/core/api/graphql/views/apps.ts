/** `App` and `Function` values. Relations are functions: graphql-js calls them only when selected. */
import type { AppRecord, FunctionRecord, Trigger } from "../../../../domain/schemas.js";
import type { RequestContext } from "../context.js";
import { appUuid } from "../ids.js";
import { functionConfiguration } from "./functionConfiguration.js";
import { functionRunStats } from "./runCost.js";

/** Inngest's convention for the function that handles another one's failures. */
const FAILURE_HANDLER_SUFFIX = "-failure";

/** `js:v3.27.0` → ["js", "3.27.0"]. */
function sdkParts(sdk: string): [string, string] {
  const at = sdk.indexOf(":");
  if (at < 0) return [sdk, ""];
  return [sdk.slice(0, at), sdk.slice(at + 1).replace(/^v/, "")];
}

function triggerView(t: Trigger) {
  return "event" in t
    ? { type: "EVENT", value: t.event, condition: t.expression ?? null }
    : { type: "CRON", value: t.cron, condition: null };
}

/** The first function-scoped concurrency limit (Inngest's legacy `Function.concurrency`), else 0. */
function legacyConcurrency(fn: FunctionRecord): number {
  const entry = functionConfiguration(fn).concurrency.find((c) => c.scope === "FUNCTION");
  return entry?.limit.value ?? 0;
}

export function functionNode(ctx: RequestContext, fn: FunctionRecord) {
  return {
    id: fn.internalId,
    name: fn.name,
    slug: fn.slug,
    failureHandler: async () => {
      const handler = await ctx.fn(`${fn.slug}${FAILURE_HANDLER_SUFFIX}`);
      return handler && !handler.archived ? functionNode(ctx, handler) : null;
    },
    config: JSON.stringify(fn.config),
    configuration: () => functionConfiguration(fn),
    concurrency: () => legacyConcurrency(fn),
    triggers: fn.triggers.map(triggerView),
    url: fn.url,
    appID: appUuid(fn.appId),
    app: async () => appNode(ctx, await ctx.appOf(fn.appId)),
    runStats: (args: { from: number }) => functionRunStats(ctx, fn.slug, args.from),
  };
}

export type FunctionNode = ReturnType<typeof functionNode>;

export function appNode(ctx: RequestContext, app: AppRecord) {
  const [sdkLanguage, sdkVersion] = sdkParts(app.sdk);
  return {
    id: appUuid(app.appId),
    externalID: app.appId,
    name: app.appId,
    sdkLanguage,
    sdkVersion,
    framework: app.framework ?? null,
    url: app.url,
    checksum: app.checksum,
    error: null,
    functions: async () => {
      const fns = await ctx.listFunctions();
      return fns.filter((f) => f.appId === app.appId).map((f) => functionNode(ctx, f));
    },
    method: "SERVE",
    appVersion: app.appVersion ?? null,
    // Tideline keeps only apps whose sync succeeded.
    connected: true,
    functionCount: app.functionSlugs.length,
    autodiscovered: false,
  };
}
