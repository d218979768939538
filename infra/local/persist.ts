/**
 * `tideline dev --persist`: what keeps state across restarts. DynamoDB Local keeps its tables in
 * files itself (emulators.ts); moto keeps nothing, so the payload bucket (event payloads and step
 * outputs over 64 KiB) is mirrored to files here: restored on start, saved every few seconds and
 * on stop. Queues, the stream and one-time schedules start empty; the recovery sweep run on start
 * re-dispatches every Running run's pending jobs from DynamoDB.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { sleep } from "./abortableSleep.js";
import type { Logger } from "./log.js";

/** Object key → file path below `dir`, each segment URI-encoded (keys may hold any character). */
function fileOf(dir: string, key: string): string {
  return join(dir, ...key.split("/").map((segment) => encodeURIComponent(segment)));
}

function keyOf(dir: string, file: string): string {
  return relative(dir, file).split(sep).map(decodeURIComponent).join("/");
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".tmp"))
    .map((entry) => join(entry.parentPath, entry.name));
}

export interface BucketMirror {
  /** Saves what is new one last time and stops saving. */
  stop(): Promise<void>;
}

/** Restores the bucket from `dir`, then keeps saving new objects into it until stopped. */
export async function mirrorBucket(opts: {
  s3: S3Client;
  bucket: string;
  dir: string;
  log: Logger;
  intervalMs?: number;
}): Promise<BucketMirror> {
  const { s3, bucket, dir } = opts;
  mkdirSync(dir, { recursive: true });
  /** ETag of each object as last saved (or restored), so only new and changed objects are read. */
  const saved = new Map<string, string | undefined>();
  for (const file of filesBelow(dir)) {
    const key = keyOf(dir, file);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
    saved.set(key, put.ETag);
  }
  if (saved.size > 0) opts.log.info(`restored ${saved.size} payload object(s) from ${dir}`);

  async function save(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || (saved.has(key) && saved.get(key) === object.ETag)) continue;
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = await got.Body?.transformToByteArray();
        const file = fileOf(dir, key);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(`${file}.tmp`, body ?? new Uint8Array());
        renameSync(`${file}.tmp`, file);
        saved.set(key, object.ETag);
      }
      token = page.NextContinuationToken;
    } while (token);
  }

  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await sleep(opts.intervalMs ?? 2000, abort.signal);
      if (abort.signal.aborted) break;
      await save().catch((err: unknown) => opts.log.warn("saving payload objects failed; retrying", err));
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
      await save();
    },
  };
}
