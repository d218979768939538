import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BlobStore } from "../../ports/index.js";

/** Payloads too large for a DynamoDB item, stored as UTF-8 objects under their key. */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await res.Body?.transformToString("utf-8")) ?? "";
    } catch (err) {
      // Only a missing key is "absent"; a missing bucket or access error is a real failure.
      if (err instanceof Error && err.name === "NoSuchKey") return undefined;
      throw err;
    }
  }
}
