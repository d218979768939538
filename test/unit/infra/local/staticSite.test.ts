/** The dashboard as `tideline dev` serves it: the build's files outside the API's paths, and nothing else. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServerOptions, requestListener } from "../../../../infra/local/http.js";
import { silentLogger } from "../../../../infra/local/log.js";
import { dashboardSite, isDashboardRequest } from "../../../../infra/local/staticSite.js";

let server: Server;
let base: string;
const root = mkdtempSync(join(tmpdir(), "tideline-dist-"));
const script = `console.log(${JSON.stringify("x".repeat(4000))});`;

beforeAll(async () => {
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>T</title>");
  writeFileSync(join(root, "assets", "index-abc.js"), script);
  writeFileSync(join(tmpdir(), "secret.txt"), "outside the build");
  // A sibling whose name starts with the build's: inside it by string prefix, outside it by path.
  mkdirSync(`${root}-sibling`, { recursive: true });
  writeFileSync(join(`${root}-sibling`, "secret.txt"), "outside the build");
  const site = dashboardSite(root);
  server = createServer((req, res) => void site(req, res, new URL(req.url ?? "/", "http://x").pathname));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
);

/** A raw request (fetch would normalise `..` away before sending it). */
async function raw(path: string, headers: Record<string, string> = {}, method = "GET", at = base) {
  const { request } = await import("node:http");
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${at}${path}`, { headers, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on("error", reject);
      // A handler that never answers fails the test rather than hanging it.
      req.setTimeout(2000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
      req.end();
    },
  );
}

describe("dashboardSite", () => {
  it("serves index.html at / uncached, and hashed assets cached for good", async () => {
    const index = await raw("/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    expect(index.body.toString()).toContain("<title>T</title>");
    const asset = await raw("/assets/index-abc.js");
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.body.toString()).toBe(script);
  });

  it("gzips text for clients that accept it, and only for them", async () => {
    const zipped = await raw("/assets/index-abc.js", { "accept-encoding": "gzip, br" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.body.length).toBeLessThan(script.length / 4);
    expect(gunzipSync(zipped.body).toString()).toBe(script);
    const plain = await raw("/assets/index-abc.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    // Either form says it varies, so a shared cache keeps them apart.
    expect([zipped.headers.vary, plain.headers.vary]).toEqual(["accept-encoding", "accept-encoding"]);
  });

  it("answers a HEAD with the GET's headers and no body", async () => {
    const head = await raw("/assets/index-abc.js", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(head.headers["content-length"]).toBe(String(script.length));
    expect(head.body.length).toBe(0);
  });

  it("answers a malformed escape with a 400, and goes on serving", async () => {
    for (const path of ["/%E0%A4%A", "/assets/%", "/%zz"]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
    }
    expect((await raw("/")).status).toBe(200);
  });

  it("never serves a file outside the build, however the path is spelled", async () => {
    for (const path of [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      `/..%2f${basename(root)}-sibling/secret.txt`,
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString()).not.toContain("outside the build");
    }
    expect((await raw("/nope.js")).status).toBe(404);
  });

  it("says how to build the dashboard when there is no build", async () => {
    const empty = mkdtempSync(join(tmpdir(), "tideline-nodist-"));
    const site = dashboardSite(empty);
    const s = createServer((req, res) => void site(req, res, "/"));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("npm run build:dashboard");
    await new Promise<void>((r) => s.close(() => r()));
  });
});

describe("the dev server's dashboard route", () => {
  /** The dev server's listener with this dashboard (no API routes), on a free port for `use`. */
  async function devServer(dashboard: HttpServerOptions["dashboard"], use: (at: string) => Promise<void>) {
    const listener = requestListener({
      handlers: { get: () => async () => ({ statusCode: 200, body: "api" }) },
      routes: [],
      dashboard,
      log: silentLogger,
    });
    const s = createServer((req, res) => void listener(req, res));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    try {
      await use(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
    }
  }

  it("turns a dashboard that fails into a 500, never an unhandled rejection", async () => {
    const failing = async () => {
      throw new Error("EACCES");
    };
    await devServer(failing, async (at) => {
      expect((await raw("/", {}, "GET", at)).status).toBe(500);
      expect((await raw("/%E0%A4%A", {}, "GET", at)).status).toBe(500);
    });
  });

  it("sends a malformed escape to the static site, which refuses it", async () => {
    await devServer(dashboardSite(root), async (at) => {
      expect((await raw("/%E0%A4%A", {}, "GET", at)).status).toBe(400);
      expect((await raw("/", {}, "GET", at)).status).toBe(200);
    });
  });
});

describe("isDashboardRequest", () => {
  it("takes GETs and HEADs outside the API's paths and leaves the API its own", () => {
    expect(isDashboardRequest("GET", "/")).toBe(true);
    expect(isDashboardRequest("HEAD", "/assets/a.js")).toBe(true);
    expect(isDashboardRequest("POST", "/")).toBe(false);
    for (const api of ["/v0/gql", "/v1/runs", "/e/key", "/fn/register", "/dev", "/health"]) {
      expect(isDashboardRequest("GET", api), api).toBe(false);
    }
  });
});
