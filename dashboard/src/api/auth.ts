/**
 * Whether the API asked for a key: set by any 401 (see main.tsx), cleared when a key is accepted.
 * A tiny external store, read with useSyncExternalStore.
 */
import { useSyncExternalStore } from "react";
import { apiKey } from "./client";

let needsKey = false;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

export const auth = {
  requireKey(): void {
    if (needsKey) return;
    needsKey = true;
    emit();
  },
  accepted(): void {
    needsKey = false;
    emit();
  },
  /** Lets components re-render when the stored key changes (sign in, forget). */
  changed(): void {
    emit();
  },
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useNeedsKey(): boolean {
  return useSyncExternalStore(subscribe, () => needsKey);
}

export function useHasKey(): boolean {
  return useSyncExternalStore(subscribe, () => apiKey() !== null);
}
