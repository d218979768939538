#!/usr/bin/env node
// Installs the emulators the local runtime and the test suite use, into git-ignored folders:
//  - moto server (pinned) in a project-local Python venv: .tideline/venv
//  - DynamoDB Local, taken from the npm tarball of amplify-dynamodb-simulator: .tideline/dynamodb-local
//  - with --with-python-sdk (the test suite): the official Python SDK in .tideline/sdk-venv
// Idempotent: a marker file per component records the pinned version. The emulators are skipped
// when AWS_ENDPOINT_URL names an existing emulator (LocalStack or moto), since nothing is started then.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MOTO_VERSION = "5.2.5";
export const DYNAMODB_SIMULATOR_VERSION = "2.9.30";
/**
 * The official Python SDK and the web frameworks that serve it in the Python end-to-end tests:
 * Flask (sync handlers) and FastAPI under uvicorn (async handlers). fastapi 0.162.5 is the newest
 * release that still supports Python 3.10, the SDK's own floor.
 */
export const PYTHON_SDK_REQUIREMENTS = [
  "inngest==0.5.19",
  "flask==3.1.3",
  "fastapi==0.162.5",
  "uvicorn==0.54.0",
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const home = join(root, ".tideline");
/** The Python the venvs are built with. */
const python = process.env.PYTHON ?? "python3";

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/**
 * A component's install record: done when its marker names the pinned version and the file it
 * installs (`artifact`) is there, so a `.tideline` left half-deleted or copied from elsewhere is
 * installed again rather than trusted.
 */
function marker(name, artifact) {
  const file = join(home, `${name}.installed`);
  return {
    ok: (version) =>
      existsSync(file) && readFileSync(file, "utf8").trim() === version && existsSync(artifact),
    set: (version) => writeFileSync(file, `${version}\n`),
  };
}

/** The Python the venvs are built with: 3.10 or later (the Python SDK's floor), with `venv`. */
function checkPython() {
  let version;
  try {
    version = execFileSync(python, ["-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], {
      encoding: "utf8",
    }).trim();
  } catch {
    throw new Error(
      `${python} with its venv module is needed for moto and the Python SDK tests (Debian: apt-get install -y python3 python3-venv), or set AWS_ENDPOINT_URL to an existing emulator.`,
    );
  }
  const [major, minor] = version.split(".").map(Number);
  if (major < 3 || (major === 3 && minor < 10)) {
    throw new Error(`${python} is ${version}; Python 3.10 or later is needed (set PYTHON to another one).`);
  }
}

/** A fresh venv at `venv` with exactly `packages` installed. */
function createVenv(venv, packages) {
  checkPython();
  rmSync(venv, { recursive: true, force: true });
  run(python, ["-m", "venv", venv]);
  run(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", ...packages]);
}

function installMoto() {
  const venv = join(home, "venv");
  const m = marker("moto", join(venv, "bin", "moto_server"));
  if (m.ok(MOTO_VERSION)) return;
  console.log(`[emulators] creating ${venv} with moto[server]==${MOTO_VERSION}`);
  createVenv(venv, [`moto[server]==${MOTO_VERSION}`]);
  m.set(MOTO_VERSION);
}

function checkJava() {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "DynamoDB Local needs Java 17+ on PATH. Install it (Debian: apt-get install -y openjdk-17-jre-headless) or set AWS_ENDPOINT_URL to an existing emulator.",
    );
  }
}

function installDynamoDbLocal() {
  checkJava();
  const dest = join(home, "dynamodb-local");
  const m = marker("dynamodb-local", join(dest, "DynamoDBLocal.jar"));
  if (m.ok(DYNAMODB_SIMULATOR_VERSION)) return;
  const cache = join(home, "cache");
  mkdirSync(cache, { recursive: true });
  console.log(
    `[emulators] fetching DynamoDB Local (amplify-dynamodb-simulator@${DYNAMODB_SIMULATOR_VERSION})`,
  );
  const out = execFileSync(
    "npm",
    [
      "pack",
      `amplify-dynamodb-simulator@${DYNAMODB_SIMULATOR_VERSION}`,
      "--silent",
      "--pack-destination",
      cache,
    ],
    { encoding: "utf8" },
  );
  const tarball = join(cache, out.trim().split("\n").pop());
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  run("tar", ["-xzf", tarball, "-C", dest, "--strip-components=2", "package/emulator"]);
  rmSync(tarball, { force: true });
  if (!existsSync(join(dest, "DynamoDBLocal.jar"))) {
    throw new Error(`DynamoDBLocal.jar missing after extracting ${tarball}`);
  }
  m.set(DYNAMODB_SIMULATOR_VERSION);
}

function installPythonSdk() {
  const version = PYTHON_SDK_REQUIREMENTS.join(" ");
  // A venv of its own: moto[server] pins its own Flask/Werkzeug range.
  const venv = join(home, "sdk-venv");
  const m = marker("python-sdk", join(venv, "bin", "python"));
  if (m.ok(version)) return;
  console.log(`[emulators] creating ${venv} with ${version} (Python SDK tests)`);
  createVenv(venv, PYTHON_SDK_REQUIREMENTS);
  m.set(version);
}

if (process.argv.includes("--with-python-sdk")) {
  mkdirSync(home, { recursive: true });
  installPythonSdk();
}

if (process.env.AWS_ENDPOINT_URL) {
  console.log(`[emulators] AWS_ENDPOINT_URL=${process.env.AWS_ENDPOINT_URL}: using it, nothing to install`);
} else {
  mkdirSync(home, { recursive: true });
  installMoto();
  installDynamoDbLocal();
}
