import { once } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../infra/local/emulators.js";
import { nodeAppHttp } from "../../../shared/adapters/http/appRequest.js";
import { refusedAddress } from "../../../shared/core/registry/syncTarget.js";

/** Requests to an app's URL made on a caller's behalf, against real loopback servers. */
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

const put = (url: string, refuse?: (a: string) => string | undefined, timeoutMs = 5000) =>
  nodeAppHttp.request(new URL(url), {
    method: "PUT",
    timeoutMs,
    ...(refuse ? { refuseAddress: refuse } : {}),
  });

describe("requests to an app's URL", () => {
  it("answers with the app's status and body", async () => {
    const port = await serve((_req, res) => res.writeHead(200).end('{"ok":true}'));
    expect(await put(`http://127.0.0.1:${port}/api`)).toEqual({ ok: true, status: 200, body: '{"ok":true}' });
  });

  it("does not follow a redirect, and reports where it pointed", async () => {
    let hits = 0;
    const port = await serve((_req, res) => {
      hits++;
      res.writeHead(302, { location: "http://169.254.169.254/" }).end();
    });
    expect(await put(`http://127.0.0.1:${port}/api`)).toMatchObject({
      ok: true,
      status: 302,
      location: "http://169.254.169.254/",
    });
    expect(hits).toBe(1);
  });

  it("refuses a literal address the policy refuses, without connecting", async () => {
    let hits = 0;
    const port = await serve((_req, res) => {
      hits++;
      res.writeHead(200).end();
    });
    expect(await put(`http://127.0.0.1:${port}/`, refusedAddress)).toEqual({
      ok: false,
      refused: true,
      reason: "127.0.0.1 is a loopback address",
    });
    expect(hits).toBe(0);
  });

  it("refuses a host name that resolves to a refused address, checked when it connects", async () => {
    let hits = 0;
    const port = await serve((_req, res) => {
      hits++;
      res.writeHead(200).end();
    });
    const result = await put(`http://localhost:${port}/`, refusedAddress);
    expect(result).toMatchObject({ ok: false, refused: true });
    expect(result.ok === false && result.reason).toMatch(
      /^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/,
    );
    expect(hits).toBe(0);
  });

  it("names a refused connection", async () => {
    const port = await freePort();
    expect(await put(`http://127.0.0.1:${port}/`)).toEqual({
      ok: false,
      refused: false,
      reason: "connection refused (ECONNREFUSED)",
    });
  });

  it("names an unknown host", async () => {
    const result = await put("http://no-such-host.invalid/api");
    expect(result).toMatchObject({ ok: false, refused: false });
    expect(result.ok === false && result.reason).toMatch(/\((ENOTFOUND|EAI_AGAIN)\)$/);
  });

  it("gives up on an app that does not answer in time", async () => {
    const port = await serve(() => {}); // never answers
    expect(await put(`http://127.0.0.1:${port}/`, undefined, 200)).toEqual({
      ok: false,
      refused: false,
      reason: "no answer within 200 ms",
    });
  });
});
