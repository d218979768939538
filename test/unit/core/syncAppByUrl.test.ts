import { describe, expect, it } from "vitest";
import { MemoryAppHttp } from "../../../shared/adapters/memory/index.js";
import { syncAppByUrl } from "../../../shared/core/registry/registerApp.js";
import { BadGatewayError, ValidationError } from "../../../shared/domain/errors.js";

describe("syncAppByUrl", () => {
  it("PUTs the app URL and relays the app's answer", async () => {
    const appHttp = new MemoryAppHttp().answer("http://app.test", {
      ok: true,
      status: 200,
      body: '{"modified":true}',
    });
    const res = await syncAppByUrl({ appHttp, mode: "cloud" }, "http://app.test/api/inngest");
    expect(res).toEqual({ status: 200, body: '{"modified":true}' });
    expect(appHttp.requests).toEqual([{ method: "PUT", url: "http://app.test/api/inngest" }]);
  });

  it("answers 502 naming the redirect instead of following it", async () => {
    const appHttp = new MemoryAppHttp().answer("http://app.test", {
      ok: true,
      status: 301,
      location: "http://169.254.169.254/",
      body: "",
    });
    const err = await syncAppByUrl({ appHttp, mode: "dev" }, "http://app.test/api").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadGatewayError);
    expect((err as BadGatewayError).status).toBe(502);
    expect((err as BadGatewayError).message).toContain("301 (a redirect to http://169.254.169.254/)");
    expect(appHttp.requests).toHaveLength(1);
  });

  it("answers 502 naming the failure when no app answers", async () => {
    const err = await syncAppByUrl(
      { appHttp: new MemoryAppHttp(), mode: "dev" },
      "http://down.test/api",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadGatewayError);
    expect((err as BadGatewayError).message).toBe(
      "could not reach the app at http://down.test: connection refused (ECONNREFUSED)",
    );
  });

  it("refuses metadata and loopback targets in cloud mode with a 400, without a request", async () => {
    const appHttp = new MemoryAppHttp().answer("http://169.254.169.254", { ok: true, status: 200, body: "" });
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:3000/api"]) {
      const err = await syncAppByUrl({ appHttp, mode: "cloud" }, url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBe(400);
    }
    expect(appHttp.requests).toEqual([]);
  });

  it("lets dev mode sync apps on localhost", async () => {
    const appHttp = new MemoryAppHttp().answer("http://127.0.0.1:3000", {
      ok: true,
      status: 200,
      body: "{}",
    });
    expect(await syncAppByUrl({ appHttp, mode: "dev" }, "http://127.0.0.1:3000/api")).toMatchObject({
      status: 200,
    });
  });

  it("refuses a URL that is not http or https in any mode", async () => {
    const err = await syncAppByUrl({ appHttp: new MemoryAppHttp(), mode: "dev" }, "file:///etc/passwd").catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
  });
});
