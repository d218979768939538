import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { syncApp } from "../../../infra/local/appSync.js";
import { silentLogger } from "../../../infra/local/log.js";

const run = promisify(execFile);

async function tideline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/tideline.mjs", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("tideline CLI", () => {
  it("prints the usage with -h and exits 0", async () => {
    const r = await tideline("dev", "-h");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--retry-interval");
  });

  it("refuses --queue-workers outside 1 to 10000, naming the flag", async () => {
    for (const value of ["0", "10001", "many", "1.5"]) {
      const r = await tideline("dev", "--queue-workers", value);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`invalid --queue-workers: ${value}`);
    }
    expect((await tideline("dev", "--queue-workers", "10000", "-h")).code).toBe(0);
  });

  it("takes the folder after --persist, and none when a flag follows it", async () => {
    expect((await tideline("dev", "--persist", "state-dir", "-h")).code).toBe(0);
    expect((await tideline("dev", "--persist", "-h")).code).toBe(0);
    const stray = await tideline("dev", "state-dir", "-h");
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("unexpected argument: state-dir");
  });

  it("rejects an unknown flag with exit code 2", async () => {
    const r = await tideline("dev", "--bogus");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--bogus");
  });
});

describe("app sync (-u)", () => {
  it("retries a PUT that fails until the app answers", async () => {
    let puts = 0;
    const app = createServer((req, res) => {
      if (req.method === "PUT") puts++;
      res.writeHead(puts < 3 ? 503 : 200).end();
    });
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;

    const ok = await syncApp(url, {
      signal: new AbortController().signal,
      log: silentLogger,
      firstDelayMs: 10,
    });

    app.close();
    expect(ok).toBe(true);
    expect(puts).toBe(3);
  });

  it("gives up at once when the app refuses with a 4xx", async () => {
    const app = createServer((_req, res) => res.writeHead(401).end("bad key"));
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;

    const ok = await syncApp(url, {
      signal: new AbortController().signal,
      log: silentLogger,
      firstDelayMs: 10,
    });

    app.close();
    expect(ok).toBe(false);
  });
});
