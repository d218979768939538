#!/usr/bin/env node
// Makes sure a Chromium is there for the dashboard's browser tests (playwright-core drives it;
// Playwright's own browser download is never used). It takes, in order: TIDELINE_CHROMIUM, an
// installed Debian `chromium`, or installs Debian's `chromium` with apt-get (as root, or through
// passwordless sudo). Without one, it says so and the browser tests fail naming what is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium() {
  const configured = process.env.TIDELINE_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

function tryRun(cmd, args) {
  try {
    execFileSync(cmd, args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return true;
  } catch {
    return false;
  }
}

function aptInstall() {
  const root = process.getuid?.() === 0;
  const apt = (args) => (root ? tryRun("apt-get", args) : tryRun("sudo", ["-n", "apt-get", ...args]));
  const install = ["install", "-y", "--no-install-recommends", "chromium"];
  // A fresh machine may have no package lists yet: update once and try again.
  return apt(install) || (apt(["update"]) && apt(install));
}

const main = import.meta.url === `file://${process.argv[1]}`;
if (main) {
  let found = findChromium();
  if (!found && !process.env.TIDELINE_CHROMIUM) {
    console.log("[browser] installing Debian's chromium for the dashboard tests (apt-get)...");
    aptInstall();
    found = findChromium();
  }
  if (found) console.log(`[browser] chromium: ${found}`);
  else {
    console.warn(
      "[browser] no Chromium: install Debian's `chromium` (apt-get install chromium) or set TIDELINE_CHROMIUM; the dashboard's browser tests will fail until then",
    );
  }
}
