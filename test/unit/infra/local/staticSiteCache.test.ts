/** The dev dashboard server's two thresholds: what it gzips, and what it keeps in memory. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardSite } from "../../../../infra/local/staticSite.js";

const root = mkdtempSync(join(tmpdir(), "tideline-dist-cache-"));
const server = createServer((req, res) => {
  void dashboardSite(root)(req, res, new URL(req.url ?? "/", "http://x").pathname);
});
const site = dashboardSite(root);
const cached = createServer((req, res) => void site(req, res, new URL(req.url ?? "/", "http://x").pathname));
let fresh = "";
let kept = "";

beforeAll(async () => {
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "assets", "at-limit.js"), "x".repeat(1024));
  writeFileSync(join(root, "assets", "over-limit.js"), "x".repeat(1025));
  for (const [s, set] of [
    [server, (u: string) => (fresh = u)],
    [cached, (u: string) => (kept = u)],
  ] as const) {
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    set(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => cached.close(() => r()));
});

describe("dashboardSite thresholds", () => {
  it("gzips text over 1 KiB and sends 1 KiB or less as it is", async () => {
    const gzip = { "accept-encoding": "gzip" };
    expect(
      (await fetch(`${fresh}/assets/at-limit.js`, { headers: gzip })).headers.get("content-encoding"),
    ).toBeNull();
    expect(
      (await fetch(`${fresh}/assets/over-limit.js`, { headers: gzip })).headers.get("content-encoding"),
    ).toBe("gzip");
  });

  it("reads index.html anew each time (a rebuild shows at once) and keeps hashed assets", async () => {
    writeFileSync(join(root, "index.html"), "<p>build 1</p>");
    writeFileSync(join(root, "assets", "app-1.js"), "one");
    expect(await (await fetch(`${kept}/`)).text()).toBe("<p>build 1</p>");
    expect(await (await fetch(`${kept}/assets/app-1.js`)).text()).toBe("one");
    writeFileSync(join(root, "index.html"), "<p>build 2</p>");
    writeFileSync(join(root, "assets", "app-1.js"), "changed under a hashed name");
    expect(await (await fetch(`${kept}/`)).text()).toBe("<p>build 2</p>");
    expect(await (await fetch(`${kept}/assets/app-1.js`)).text()).toBe("one");
  });
});
