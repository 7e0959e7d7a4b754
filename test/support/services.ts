/**
 * vitest globalSetup: a throwaway PostgreSQL and Redis on 127.0.0.1, started in parallel for
 * each vitest invocation and stopped by pid when it ends (decision: real services, no mocks).
 *
 * Tests read the URLs with `inject("pgUrl")` / `inject("redisUrl")` and skip themselves with
 * `describe.skipIf(!url)` when a service is missing: this setup then prints one line saying
 * which tests are skipped and why. Under `CI=true` a missing or failing service fails the run.
 *
 * Postgres: `initdb` in a temp folder (through `runuser -u postgres` when running as root, as
 * initdb refuses root; see scripts/with-services.sh), trust authentication except for the role
 * `fsmc_auth`, which must give a password (`scram-sha-256`: tests of a failed login use it; the
 * role need not exist, Postgres fails the login the same way), fsync off, and a database
 * `fsmc_test`. Redis: no persistence. Tests share both servers, so each test names its own tables
 * and keys uniquely.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { access, chmod, chown, constants, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** `postgres://postgres@127.0.0.1:<port>/fsmc_test`, or null when Postgres is not available. */
    pgUrl: string | null;
    /** `redis://127.0.0.1:<port>`, or null when Redis is not available. */
    redisUrl: string | null;
  }
}

/** The role whose login needs a password (every other role is trusted). */
export const PASSWORD_ROLE = "fsmc_auth";

const run = promisify(execFile);

/** A service that was started: how to reach it and how to stop it. */
export interface Started {
  readonly url: string;
  stop(): Promise<void>;
}

/** Why a service did not start: a missing binary (skip) or a failed start (skip, but worth reading). */
export class Unavailable extends Error {}

/**
 * A throwaway Postgres for scripts (the benchmarks): started in its own temp folder, or null
 * when `initdb`/`pg_ctl` are not installed; `stop()` also removes the folder.
 */
export async function throwawayPostgres(): Promise<Started | null> {
  const dir = await mkdtemp(join(tmpdir(), "fsmc-pg-"));
  await chmod(dir, 0o755);
  try {
    const started = await startPostgres(join(dir, "pg"));
    return {
      url: started.url,
      stop: async () => {
        await started.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof Unavailable) return null;
    throw error;
  }
}

/** Starts the services, provides their URLs, and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "fsmc-svc-"));
  await chmod(dir, 0o755); // the postgres user must reach its folder inside
  const [postgres, redis] = await Promise.allSettled([startPostgres(join(dir, "pg")), startRedis(join(dir, "redis"))]);
  const started = [postgres, redis].flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  const teardown = async (): Promise<void> => {
    await Promise.all(started.map((service) => service.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const isCi = process.env["CI"] === "true";
  const failures: string[] = [];
  const urlOf = (outcome: PromiseSettledResult<Started>, service: string): string | null => {
    if (outcome.status === "fulfilled") return outcome.value.url;
    const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    failures.push(`${service}: ${reason}`);
    if (!isCi) console.log(`[test services] tests that need ${service} are skipped: ${service} is not available (${reason})`);
    return null;
  };
  const pgUrl = urlOf(postgres, "PostgreSQL");
  const redisUrl = urlOf(redis, "Redis");
  if (failures.length > 0 && isCi) {
    await teardown();
    throw new Error(`test services must run under CI=true: ${failures.join("; ")}`);
  }
  project.provide("pgUrl", pgUrl);
  project.provide("redisUrl", redisUrl);
  return teardown;
}

/** The path of an executable: in `dir` when given, else on PATH. */
async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of [...dirs, ...(process.env["PATH"] ?? "").split(delimiter)]) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" && (error as NodeJS.ErrnoException).code !== "EACCES") throw error;
    }
  }
  return undefined;
}

/** `pg_config --bindir` (where Debian keeps initdb and pg_ctl), or nothing. */
async function postgresBinDir(): Promise<string[]> {
  const pgConfig = await findExecutable("pg_config", []);
  if (pgConfig === undefined) return [];
  const { stdout } = await run(pgConfig, ["--bindir"]);
  return [stdout.trim()];
}

/** A TCP port nobody listens on at the moment. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Runs a command to its exit with its output in a log file (daemons it forks keep nothing of ours open). */
async function runLogged(command: string, args: readonly string[], log: string): Promise<void> {
  const file = await open(log, "a");
  try {
    const child = spawn(command, args, { stdio: ["ignore", file.fd, file.fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Unavailable(`\`${[command, ...args].join(" ")}\` exited with ${code}: ${(await readFile(log, "utf8")).trim().split("\n").slice(-3).join(" | ")}`);
  } finally {
    await file.close();
  }
}

/** True while a process runs; an exited one that nobody reaped yet (a zombie: the daemonised postmaster's parent is pid 1) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch (error) {
    // Gone between the two checks, or no /proc at all (not Linux), where the signal check stands.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return !existsSync("/proc/self");
    throw error;
  }
}

/** Sends `signal`, waits up to `ms` for the process to go, then sends `fallback`. */
async function stopPid(pid: number, signal: NodeJS.Signals, fallback: NodeJS.Signals, ms = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  for (let waited = 0; waited < ms; waited += 50) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (isAlive(pid)) process.kill(pid, fallback);
}

/** initdb + pg_ctl start on a free port, then `CREATE DATABASE fsmc_test`. */
export async function startPostgres(dir: string): Promise<Started> {
  const binDirs = await postgresBinDir();
  const initdb = await findExecutable("initdb", binDirs);
  const pgCtl = await findExecutable("pg_ctl", binDirs);
  if (initdb === undefined || pgCtl === undefined) throw new Unavailable("`initdb` or `pg_ctl` is not on PATH nor in `pg_config --bindir`");
  const asPostgres = await postgresUser();
  const as = (command: string, args: readonly string[]): [string, string[]] =>
    asPostgres === undefined ? [command, [...args]] : [asPostgres.runuser, ["-u", "postgres", "--", command, ...args]];
  await mkdirOwned(dir, asPostgres);
  const data = join(dir, "data");
  await runLogged(...as(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]), join(dir, "initdb.log"));
  const hba = join(data, "pg_hba.conf");
  await writeFile(hba, `host all ${PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n${await readFile(hba, "utf8")}`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await runLogged(...as(pgCtl, ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]), join(dir, "pg_ctl.log"));
    } catch (error) {
      lastError = error; // most likely another process took the port between freePort() and the bind
      continue;
    }
    const pid = Number((await readFile(join(data, "postmaster.pid"), "utf8")).split("\n")[0]);
    const stop = (): Promise<void> => stopPid(pid, "SIGINT", "SIGQUIT"); // SIGINT: fast shutdown
    try {
      const admin = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
      await admin.connect();
      try {
        await admin.query("CREATE DATABASE fsmc_test");
      } finally {
        await admin.end();
      }
    } catch (error) {
      await stop();
      throw error;
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/fsmc_test`, stop };
  }
  throw lastError;
}

/** How to run a command as `postgres` when we are root (initdb refuses root); undefined when not root. */
async function postgresUser(): Promise<{ runuser: string; uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const runuser = await findExecutable("runuser", ["/usr/sbin", "/sbin"]);
  if (runuser === undefined) throw new Unavailable("running as root, and `runuser` (to run initdb as `postgres`) is missing");
  try {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    return { runuser, uid, gid };
  } catch (error) {
    throw new Unavailable(`running as root, and there is no \`postgres\` user to run initdb as (${(error as Error).message.split("\n")[0]})`);
  }
}

/** Creates a folder the postgres user owns (it writes its socket and lock file there). */
async function mkdirOwned(dir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
}

/** redis-server on a free port, without persistence, as our child. */
async function startRedis(dir: string): Promise<Started> {
  const server = await findExecutable("redis-server", []);
  if (server === undefined) throw new Unavailable("`redis-server` is not on PATH");
  await mkdirOwned(dir, undefined);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = join(dir, `redis-${port}.log`);
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", log, "--daemonize", "no"];
    const child = spawn(server, args, { stdio: "ignore" });
    try {
      await waitForPong(child, port);
    } catch (error) {
      lastError = error;
      if (child.exitCode === null) await stopChild(child);
      continue;
    }
    return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
  }
  throw lastError;
}

/** Polls `PING` until the server answers `+PONG` (or exits, or 10 s pass). */
async function waitForPong(child: ChildProcess, port: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (child.exitCode !== null) throw new Unavailable(`redis-server exited with ${child.exitCode} (port ${port})`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Unavailable(`redis-server did not answer PING on port ${port} within 10 s`);
}

/** One `PING` over TCP: true on `+PONG`. */
async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false)); // not listening yet: the caller polls again
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

/** Stops a child process: SIGTERM, then SIGKILL when it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await stopPid(child.pid, "SIGTERM", "SIGKILL");
  await exited;
}
