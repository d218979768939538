import { describe, expect, it } from "vitest";
import { crossSiteProblem } from "../../../shared/core/api/crossSite.js";

const REFUSAL = "cross-site browser requests may not change state on tideline dev";
const STATE_CHANGING = ["POST", "PUT", "DELETE", "PATCH"];

describe("crossSiteProblem: methods", () => {
  it.each(["GET", "HEAD", "OPTIONS"])("never refuses %s, whatever the headers say", (method) => {
    const headers = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    expect(crossSiteProblem(method, headers)).toBeUndefined();
  });

  it("matches safe methods case-insensitively", () => {
    const headers = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    expect(crossSiteProblem("get", headers)).toBeUndefined();
    expect(crossSiteProblem("Head", headers)).toBeUndefined();
    expect(crossSiteProblem("options", headers)).toBeUndefined();
  });

  it("matches state-changing methods case-insensitively", () => {
    expect(crossSiteProblem("post", { origin: "https://evil.example" })).toBe(
      `${REFUSAL} (Origin https://evil.example)`,
    );
    expect(crossSiteProblem("Delete", { "sec-fetch-site": "cross-site" })).toBe(REFUSAL);
  });
});

describe("crossSiteProblem: requests from tools", () => {
  it.each(STATE_CHANGING)("allows %s with no Origin (SDKs, curl)", (method) => {
    expect(crossSiteProblem(method, {})).toBeUndefined();
    expect(crossSiteProblem(method, { "content-type": "text/plain", origin: undefined })).toBeUndefined();
  });
});

describe("crossSiteProblem: Sec-Fetch-Site", () => {
  it.each(STATE_CHANGING)("refuses %s marked cross-site even without an Origin", (method) => {
    expect(crossSiteProblem(method, { "sec-fetch-site": "cross-site" })).toBe(REFUSAL);
  });

  it("reads the Sec-Fetch-Site value case-insensitively", () => {
    expect(crossSiteProblem("POST", { "sec-fetch-site": "Cross-Site" })).toBe(REFUSAL);
  });

  it("lets a local Origin decide over Sec-Fetch-Site (127.0.0.1:3000 is another site to the browser)", () => {
    expect(
      crossSiteProblem("POST", { "sec-fetch-site": "cross-site", origin: "http://localhost:3000" }),
    ).toBeUndefined();
    expect(
      crossSiteProblem("POST", { "sec-fetch-site": "cross-site", origin: "http://127.0.0.1:3000" }),
    ).toBeUndefined();
  });

  it.each(["same-site", "same-origin", "none"])("allows a request marked %s", (site) => {
    expect(crossSiteProblem("POST", { "sec-fetch-site": site })).toBeUndefined();
    expect(
      crossSiteProblem("POST", { "sec-fetch-site": site, origin: "http://localhost:8288" }),
    ).toBeUndefined();
  });

  it("still checks the Origin of a request marked same-site", () => {
    expect(crossSiteProblem("POST", { "sec-fetch-site": "same-site", origin: "https://evil.example" })).toBe(
      `${REFUSAL} (Origin https://evil.example)`,
    );
  });
});

describe("crossSiteProblem: Origin", () => {
  it.each([
    "http://localhost:3000",
    "http://localhost",
    "https://LOCALHOST:8443",
    "http://127.0.0.1:8288",
    "http://127.1.2.3",
    "http://[::1]:8288",
    "http://app.localhost",
    "http://a.b.localhost:5173",
  ])("allows a state-changing request from %s", (origin) => {
    for (const method of STATE_CHANGING) expect(crossSiteProblem(method, { origin })).toBeUndefined();
  });

  it.each([
    "https://evil.example",
    "http://localhost.evil.example",
    "http://evillocalhost",
    "http://127.0.0.1.evil.example",
    "http://128.0.0.1",
    "http://[::2]",
    "http://192.168.1.10:3000",
  ])("refuses a state-changing request from %s, naming the origin", (origin) => {
    for (const method of STATE_CHANGING) {
      expect(crossSiteProblem(method, { origin })).toBe(`${REFUSAL} (Origin ${origin})`);
    }
  });

  it("refuses the opaque origin `null` (sandboxed frames, file://)", () => {
    expect(crossSiteProblem("POST", { origin: "null" })).toBe(`${REFUSAL} (Origin null)`);
  });

  it("refuses an origin that is not a URL", () => {
    expect(crossSiteProblem("POST", { origin: "not a url" })).toBe(`${REFUSAL} (Origin not a url)`);
    expect(crossSiteProblem("POST", { origin: "" })).toBe(`${REFUSAL} (Origin )`);
  });
});
