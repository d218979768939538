import type { BlobStore } from "../../ports/index.js";

/** Blobs in a map; strings are immutable, so no copies are needed. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, string>();

  async put(key: string, body: string): Promise<void> {
    this.blobs.set(key, body);
  }

  async get(key: string): Promise<string | undefined> {
    return this.blobs.get(key);
  }

  /** Every stored key (for tests). */
  keys(): string[] {
    return [...this.blobs.keys()];
  }
}
