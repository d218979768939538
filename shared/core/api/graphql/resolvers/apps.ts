/** Queries over the registry: apps and functions. */
import type { RequestContext } from "../context.js";
import { appUuid } from "../ids.js";
import { appNode, functionNode } from "../views/apps.js";

export const appQueries = {
  async apps(args: { filter?: { method?: string | null } | null }, ctx: RequestContext) {
    const method = args.filter?.method;
    // Every Tideline app is served over HTTP.
    if (method !== undefined && method !== null && method !== "SERVE") return [];
    const apps = await ctx.listApps();
    return [...apps].sort((a, b) => (a.appId < b.appId ? -1 : 1)).map((app) => appNode(ctx, app));
  },

  /** By the app's UUID (what `App.id` shows) or its own id. */
  async app(args: { id: string }, ctx: RequestContext) {
    const apps = await ctx.listApps();
    const app = apps.find((a) => appUuid(a.appId) === args.id || a.appId === args.id);
    return app ? appNode(ctx, app) : null;
  },

  async functions(_args: unknown, ctx: RequestContext) {
    return (await ctx.listFunctions()).map((fn) => functionNode(ctx, fn));
  },

  async functionBySlug(args: { query: { functionSlug: string } }, ctx: RequestContext) {
    const fn = await ctx.fn(args.query.functionSlug);
    return fn && !fn.archived ? functionNode(ctx, fn) : null;
  },
};
