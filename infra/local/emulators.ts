/**
 * Starts the emulators the local runtime and the tests talk to: moto server (SQS, S3, Kinesis,
 * Scheduler) and DynamoDB Local (moto's DynamoDB races under concurrent transactions; see
 * EMULATORS.md). When AWS_ENDPOINT_URL is already set (LocalStack, a shared moto), nothing starts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { tidelineHome } from "./paths.js";

export interface EmulatorEndpoints {
  /** AWS_ENDPOINT_URL: every service but DynamoDB. */
  aws: string;
  /** AWS_ENDPOINT_URL_DYNAMODB (or the shared endpoint when only that is set). */
  dynamodb: string;
}

export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** True when this call spawned the emulators (false: an endpoint was given). */
  started: boolean;
  /** The variables this call set, for handing to other processes (test workers). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartEmulatorsOptions {
  /** Where the venv, the DynamoDB Local jar and logs/ live; defaults to <repo>/.tideline. */
  home?: string;
  /** Deadline for each emulator to answer. */
  timeoutMs?: number;
  /**
   * Keep DynamoDB's state in files under this folder (DynamoDB Local's -dbPath mode) instead of
   * in memory, so it survives a restart. The other services (moto) always start empty.
   */
  dynamoDbDir?: string;
}

/** Asks the kernel for a free loopback port (there is a tiny race until the child binds it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  exited: () => string | undefined;
}

/**
 * Runs the emulator under a small shell watchdog that holds our end of a pipe: when this process
 * goes away in any way (even SIGKILL, which runs no exit handler) the pipe closes and the
 * watchdog stops the emulator, so no Java or Python server outlives its owner.
 */
const WATCHDOG = `exec 3<&0
"$@" 3<&- </dev/null &
pid=$!
{ read -r _ <&3; kill "$pid" 2>/dev/null; } &
wait "$pid"`;

function spawnLogged(name: string, cmd: string, args: string[], cwd: string, logDir: string): Child {
  const logFile = join(logDir, `${name}.log`);
  // Unlink first: a second runtime (tests beside `tideline dev`) gets its own file, not a truncated one.
  rmSync(logFile, { force: true });
  const fd = openSync(logFile, "w");
  // Own process group: Ctrl-C reaches only us, and we stop the emulators in order.
  const proc = spawn("sh", ["-c", WATCHDOG, name, cmd, ...args], {
    cwd,
    stdio: ["pipe", fd, fd],
    env: process.env,
    detached: true,
  });
  closeSync(fd); // the child holds its own copy
  let exit: string | undefined;
  proc.on("error", (err) => {
    exit = err.message;
  });
  proc.on("exit", (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });
  return { name, proc, logFile, exited: () => exit };
}

function killGroup(child: Child): void {
  try {
    if (child.proc.pid) process.kill(-child.proc.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Any HTTP answer (DynamoDB Local says 400 to a bare GET) means the server is up. */
async function waitUntilAnswers(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = child.exited();
    if (exit) throw new Error(`${child.name} ${exit} before answering on ${url}; see ${child.logFile}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(
          `${child.name} did not answer on ${url} within ${timeoutMs} ms; see ${child.logFile}`,
        );
      }
      await sleep(100);
    }
  }
}

/** Closing the pipe asks the watchdog to stop the emulator; a stuck one is killed with its group. */
async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.proc.once("exit", () => r()));
  child.proc.stdin?.end();
  const stopped = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!stopped) {
    killGroup(child);
    await exited;
  }
}

/** Credentials and region the emulators accept; real ones are left alone when set. */
function applyDefaults(env: Record<string, string>): void {
  const defaults: Record<string, string> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
  for (const [k, v] of Object.entries(defaults)) {
    process.env[k] ??= v;
    env[k] = process.env[k] ?? v;
  }
}

export async function startEmulators(opts: StartEmulatorsOptions = {}): Promise<Emulators> {
  const env: Record<string, string> = {};
  applyDefaults(env);
  const given = process.env.AWS_ENDPOINT_URL;
  if (given) {
    const dynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? given;
    env.AWS_ENDPOINT_URL = given;
    env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb;
    return { endpoints: { aws: given, dynamodb }, started: false, env, stop: async () => {} };
  }

  const home = opts.home ?? tidelineHome;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const motoBin = join(home, "venv", "bin", "moto_server");
  const ddbDir = join(home, "dynamodb-local");
  for (const path of [motoBin, join(ddbDir, "DynamoDBLocal.jar")]) {
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: run \`node scripts/emulators/install.mjs\` (or set AWS_ENDPOINT_URL)`,
      );
    }
  }
  const logDir = join(home, "logs");
  mkdirSync(logDir, { recursive: true });
  if (opts.dynamoDbDir) mkdirSync(opts.dynamoDbDir, { recursive: true });
  const [motoPort, ddbPort] = await Promise.all([freePort(), freePort()]);
  const children = [
    spawnLogged("moto", motoBin, ["-H", "127.0.0.1", "-p", String(motoPort)], home, logDir),
    spawnLogged(
      "dynamodb-local",
      "java",
      [
        "-Djava.library.path=DynamoDBLocal_lib",
        "-jar",
        "DynamoDBLocal.jar",
        ...(opts.dynamoDbDir ? ["-sharedDb", "-dbPath", opts.dynamoDbDir] : ["-inMemory"]),
        "-port",
        String(ddbPort),
      ],
      ddbDir,
      logDir,
    ),
  ];
  // A crash or Ctrl-C of the parent must not leave emulators holding ports.
  const onExit = () => {
    for (const c of children) killGroup(c);
  };
  process.once("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    await Promise.all(children.map(stopChild));
  };

  const aws = `http://127.0.0.1:${motoPort}`;
  const dynamodb = `http://127.0.0.1:${ddbPort}`;
  try {
    const [moto, ddb] = children as [Child, Child];
    await Promise.all([
      waitUntilAnswers(moto, `${aws}/moto-api/`, timeoutMs),
      waitUntilAnswers(ddb, `${dynamodb}/`, timeoutMs),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  process.env.AWS_ENDPOINT_URL = env.AWS_ENDPOINT_URL = aws;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb;
  return { endpoints: { aws, dynamodb }, started: true, env, stop };
}
