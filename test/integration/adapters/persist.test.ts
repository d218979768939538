import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../infra/local/log.js";
import { mirrorBucket } from "../../../infra/local/persist.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { randomSuffix } from "../../helpers/index.js";

/** `--persist`'s payload mirror: moto forgets its buckets, the files under the state folder do not. */
const { s3 } = createAwsClients();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function bucket(): Promise<string> {
  const name = `t-mirror-${randomSuffix()}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

const text = async (b: string, key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body?.transformToString("utf-8");

describe("the payload bucket mirror of tideline dev --persist", () => {
  it("saves objects on stop and restores them into a new, empty bucket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tideline-mirror-"));
    dirs.push(dir);
    const first = await bucket();
    const mirror = await mirrorBucket({ s3, bucket: first, dir, log: silentLogger, intervalMs: 60_000 });
    await s3.send(
      new PutObjectCommand({ Bucket: first, Key: "runs/01R/steps/a b.json", Body: '{"data":1}' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: first, Key: "events/01E.json", Body: "x".repeat(70_000) }));

    await mirror.stop();

    expect(readFileSync(join(dir, "runs", "01R", "steps", "a%20b.json"), "utf8")).toBe('{"data":1}');
    const second = await bucket();
    const restored = await mirrorBucket({ s3, bucket: second, dir, log: silentLogger, intervalMs: 60_000 });
    await restored.stop();
    expect(await text(second, "runs/01R/steps/a b.json")).toBe('{"data":1}');
    expect(await text(second, "events/01E.json")).toBe("x".repeat(70_000));
  });

  it("saves new objects while running, without waiting for the stop", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tideline-mirror-"));
    dirs.push(dir);
    const b = await bucket();
    const mirror = await mirrorBucket({ s3, bucket: b, dir, log: silentLogger, intervalMs: 50 });
    await s3.send(new PutObjectCommand({ Bucket: b, Key: "k.json", Body: "1" }));
    const file = join(dir, "k.json");
    const deadline = Date.now() + 10_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(file, "utf8")).toBe("1");
    await mirror.stop();
  });
});
