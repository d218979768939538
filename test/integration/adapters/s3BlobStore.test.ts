import { beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { S3BlobStore } from "../../../shared/adapters/aws/S3BlobStore.js";
import { BUCKETS } from "../../../shared/resources.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

const clients = createAwsClients();
let blobs: S3BlobStore;

beforeAll(async () => {
  const env = await testResources("blobs");
  blobs = new S3BlobStore(clients.s3, env[BUCKETS.payloads.env] ?? "");
});

describe("S3BlobStore", () => {
  it("returns exactly the text that was put, multi-byte characters included", async () => {
    const key = `runs/${randomSuffix()}/step.json`;
    const body = JSON.stringify({ text: "zaïre ✓ 数据", big: "x".repeat(300_000) });

    await blobs.put(key, body);

    expect(await blobs.get(key)).toBe(body);
  });

  it("returns undefined for a key that was never put", async () => {
    expect(await blobs.get(`missing/${randomSuffix()}`)).toBeUndefined();
  });

  it("throws when the bucket itself is missing", async () => {
    const nowhere = new S3BlobStore(clients.s3, `no-such-bucket-${randomSuffix()}`);
    await expect(nowhere.get("k")).rejects.toThrow();
  });
});
