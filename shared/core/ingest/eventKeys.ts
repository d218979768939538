/**
 * The accepted event keys, kept only as sha256 hex digests. They rotate without a redeploy, so the
 * Event API asks for them on each request that needs them; the source caches (a parameter store
 * read at most once a minute in AWS, a fixed list from the environment in `tideline dev`).
 */
import { createHash } from "node:crypto";

/** The sha256 hex of each accepted event key, as the source holds them now. */
export type EventKeyHashes = () => Promise<readonly string[]>;

export function hashEventKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A list that never changes (environment variables, tests). */
export function fixedEventKeyHashes(hashes: readonly string[]): EventKeyHashes {
  const list = [...hashes];
  return async () => list;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The hashes in a stored list (comma-separated, as an SSM StringList holds them), lowercased.
 * Anything that is not a sha256 digest is left out, so a placeholder such as `none` accepts nothing.
 */
export function parseEventKeyHashes(value: string): string[] {
  return value
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => SHA256_HEX.test(h));
}
