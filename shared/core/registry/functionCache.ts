import type { FunctionRecord } from "../../domain/schemas.js";
import type { RegistryStore } from "../../ports/index.js";

/**
 * Caches function lookups for a few seconds per container: the executor needs the function's URL
 * and retries on every step, and a re-sync is picked up within `ttlMs`.
 */
export function withFunctionCache(registry: RegistryStore, now: () => number, ttlMs = 5000): RegistryStore {
  const cache = new Map<string, { at: number; fn: Promise<FunctionRecord | undefined> }>();
  return {
    getApp: (id) => registry.getApp(id),
    listApps: () => registry.listApps(),
    putAppSync: (app, fns, prev) => registry.putAppSync(app, fns, prev),
    listFunctions: () => registry.listFunctions(),
    functionsForEvent: (name) => registry.functionsForEvent(name),
    getFunction(slug) {
      const hit = cache.get(slug);
      if (hit && now() - hit.at < ttlMs) return hit.fn;
      const fn = registry.getFunction(slug);
      cache.set(slug, { at: now(), fn });
      // A failed lookup is not cached.
      fn.catch(() => cache.delete(slug));
      return fn;
    },
  };
}
