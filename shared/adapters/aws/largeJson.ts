import type { Json } from "../../core/types.js";
import type { BlobStore } from "../../ports/index.js";

/**
 * User data (event payloads, step outputs) is stored as JSON text: DynamoDB maps cannot nest
 * deeper than 32 levels and reject some values, and text round-trips exactly. Text over the
 * inline limit goes to the payload bucket behind a pointer so items stay under 400 KB.
 */
export const INLINE_LIMIT_BYTES = 64 * 1024;

export type EncodedJson = { j: string } | { ref: string };

export class LargeJson {
  constructor(
    private readonly blobs: BlobStore,
    private readonly inlineLimit = INLINE_LIMIT_BYTES,
  ) {}

  async encode(value: Json | undefined, key: string): Promise<EncodedJson | undefined> {
    if (value === undefined) return undefined;
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text, "utf8") <= this.inlineLimit) return { j: text };
    await this.blobs.put(key, text);
    return { ref: key };
  }

  async decode(encoded: unknown): Promise<Json | undefined> {
    if (encoded === undefined || encoded === null || typeof encoded !== "object") return undefined;
    const e = encoded as Record<string, unknown>;
    if (typeof e.j === "string") return JSON.parse(e.j) as Json;
    if (typeof e.ref === "string") {
      const text = await this.blobs.get(e.ref);
      if (text === undefined) throw new Error(`payload ${e.ref} is missing from the payload bucket`);
      return JSON.parse(text) as Json;
    }
    return undefined;
  }
}
