import type { BlobStore } from "../ports/index.js";

/** Where poison records are kept: the payload bucket, under this prefix. */
export const POISON_PREFIX = "poison";

/**
 * Keeps a message that can never be processed (bad JSON, wrong shape, nesting too deep) so it is
 * skipped without vanishing: its body and the reason go to the blob store under
 * `poison/<source>/<yyyy-mm-dd>/<id>.json`, from where it can be inspected and replayed.
 */
export async function recordPoison(
  blobs: BlobStore,
  poison: { source: string; id: string; body: string; error: string; at: number },
): Promise<string> {
  const day = new Date(poison.at).toISOString().slice(0, 10);
  const safeId = poison.id.replace(/[^A-Za-z0-9._-]/g, "_");
  const key = `${POISON_PREFIX}/${poison.source}/${day}/${safeId}.json`;
  await blobs.put(
    key,
    JSON.stringify({
      source: poison.source,
      id: poison.id,
      error: poison.error,
      at: poison.at,
      body: poison.body,
    }),
  );
  return key;
}
