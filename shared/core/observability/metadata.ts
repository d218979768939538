import type { Json, JsonObject } from "../../domain/json.js";
import type { MetadataEntry } from "../../domain/schemas.js";

/** Metadata as the trace shows it: one entry per (scope, kind), writes folded in order. */
export interface MetadataView {
  scope: string;
  kind: string;
  values: JsonObject;
  updatedAt: number;
}

/** Folds writes in the order given: `set` replaces a kind's values, `merge` merges into them. */
export function foldMetadata(entries: MetadataEntry[]): MetadataView[] {
  const byKey = new Map<string, MetadataView>();
  for (const e of entries) {
    const key = `${e.scope}\u0000${e.kind}`;
    const prior = byKey.get(key);
    const values: JsonObject = e.op === "merge" && prior ? { ...prior.values, ...e.values } : { ...e.values };
    byKey.set(key, { scope: e.scope, kind: e.kind, values, updatedAt: e.updatedAt });
  }
  return [...byKey.values()];
}

/** A JSON object view of metadata values (for APIs that answer JSON). */
export function metadataJson(view: MetadataView): Json {
  return {
    scope: view.scope,
    kind: view.kind,
    values: view.values,
    updated_at: new Date(view.updatedAt).toISOString(),
  };
}
