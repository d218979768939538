import type { AppRecord, FunctionRecord } from "../../domain/schemas.js";
import type { RegistryStore } from "../../ports/index.js";

/** Distinct event names a function triggers on (cron triggers are not indexed). */
function eventNames(fn: FunctionRecord): Set<string> {
  const names = new Set<string>();
  for (const t of fn.triggers) if ("event" in t) names.add(t.event);
  return names;
}

const bySlug = (a: FunctionRecord, b: FunctionRecord) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);

/**
 * Apps, functions and the trigger index in maps, kept the way the Dynamo store keeps them: a
 * trigger entry holds a copy of the function as synced, and a function dropped by a re-sync is
 * archived (still found by slug) while its trigger entries go.
 */
export class MemoryRegistryStore implements RegistryStore {
  private readonly apps = new Map<string, AppRecord>();
  private readonly functions = new Map<string, FunctionRecord>();
  /** event name → slug → function record. */
  private readonly triggers = new Map<string, Map<string, FunctionRecord>>();

  async getApp(appId: string): Promise<AppRecord | undefined> {
    const app = this.apps.get(appId);
    return app ? structuredClone(app) : undefined;
  }

  async listApps(): Promise<AppRecord[]> {
    return [...this.apps.values()].map((a) => structuredClone(a));
  }

  async putAppSync(app: AppRecord, functions: FunctionRecord[], previous?: AppRecord): Promise<void> {
    const keep = new Set<string>();
    for (const fn of functions) for (const name of eventNames(fn)) keep.add(`${name}\u0000${fn.slug}`);
    const newSlugs = new Set(functions.map((f) => f.slug));
    // Read the previous sync's functions before writing, as the Dynamo store does.
    const olds = (previous?.functionSlugs ?? []).flatMap((slug) => {
      const old = this.functions.get(slug);
      return old ? [old] : [];
    });
    for (const old of olds) {
      for (const name of eventNames(old)) {
        if (!keep.has(`${name}\u0000${old.slug}`)) this.triggers.get(name)?.delete(old.slug);
      }
    }
    for (const fn of functions) {
      this.functions.set(fn.slug, structuredClone(fn));
      for (const name of eventNames(fn)) {
        let entries = this.triggers.get(name);
        if (!entries) {
          entries = new Map();
          this.triggers.set(name, entries);
        }
        entries.set(fn.slug, structuredClone(fn));
      }
    }
    for (const old of olds) {
      if (!newSlugs.has(old.slug)) this.functions.set(old.slug, { ...structuredClone(old), archived: true });
    }
    this.apps.set(app.appId, structuredClone(app));
  }

  async getFunction(slug: string): Promise<FunctionRecord | undefined> {
    const fn = this.functions.get(slug);
    return fn ? structuredClone(fn) : undefined;
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return [...this.functions.values()].filter((f) => !f.archived).map((f) => structuredClone(f));
  }

  async functionsForEvent(eventName: string): Promise<FunctionRecord[]> {
    const entries = this.triggers.get(eventName);
    // Sorted by slug, like the Dynamo query over the entry's sort key.
    return entries ? [...entries.values()].sort(bySlug).map((f) => structuredClone(f)) : [];
  }
}
