/**
 * Headless Chromium for the dashboard's tests and benchmark: Debian's `chromium`, driven by
 * playwright-core (no Playwright browser download). `npm test` installs it
 * (scripts/browser/install.mjs); TIDELINE_CHROMIUM names another binary.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { projectRoot } from "../../infra/local/paths.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** Screenshots and other files a test leaves for people to look at (git-ignored). */
export const ARTIFACTS = join(projectRoot, "test-artifacts");

export function artifactDir(name: string): string {
  const dir = join(ARTIFACTS, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function chromiumPath(): string {
  const path = process.env.TIDELINE_CHROMIUM ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error(
      "no Chromium for the dashboard tests: `npm test` installs Debian's chromium (scripts/browser/install.mjs); or set TIDELINE_CHROMIUM",
    );
  }
  return path;
}

/** A headless Chromium that makes no connection of its own (this machine's network is closed). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}
