// Local Formance ledger for the SDK's end-to-end tests and the demo.
//
// Obtains a github.com/formancehq/ledger v2.4.12 binary (FORMANCE_LEDGER_BIN, the cache, a build
// through the Go module proxy, or a build from local sources; see "binary" below), caches it outside
// the repository, and runs `ledger serve` against a throw-away PostgreSQL database.
//
// Plain ESM, node: builtins only.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BUILD_TIMEOUT_MS,
  binaryRefusal,
  cacheDir,
  cachedBinary,
  goBinary,
  goEnv,
  goModDownload,
  hashOf,
  obtainBinary,
  run,
  tail,
  thirdPartyDir,
} from "./binaries.mjs";

export const LEDGER_MODULE = "github.com/formancehq/ledger";
export const LEDGER_TAG = "v2.4.12";
export const LEDGER_COMMIT = "f43a7078e7e1b9f6a354307ef994431593bf57e0";

export const GO_DIR = join(dirname(fileURLToPath(import.meta.url)), "go");

// Environment, read through one alias (these are not build-cache inputs of any task).
const ENV = process.env;

const LDFLAGS = `-s -w -X ${LEDGER_MODULE}/cmd.Version=${LEDGER_TAG}`;
const HEALTH_PATHS = ["/_/healthcheck", "/_/info"];

// Flags always passed to `ledger serve`, and flags passed only when the
// binary's `serve --help` lists them.
const REQUIRED_FLAGS = ["--auto-upgrade", "--experimental-features"];
// [flag looked for in the help, arguments passed, warn when absent]
const OPTIONAL_FLAGS = [
  ["--experimental-exporters", ["--experimental-exporters"], true],
  ["--worker", ["--worker"], true], // run the worker in-process (exporters need it)
  ["--auth-enabled", ["--auth-enabled=false"], false], // off by default; explicit beats an AUTH_ENABLED env var
  ["--otel-metrics-keep-in-memory", ["--otel-metrics-keep-in-memory"], true], // serves GET /_/metrics
  ["--postgres-max-open-conns", () => ["--postgres-max-open-conns", String(postgresPoolSize())], true],
  // Not `--postgres-max-idle-conns`: faster calls, but the ledger's bucket migrations then fail on a
  // connection that already ran one (docs/SERVER-BEHAVIOUR.md, "Idle database connections").
];

/**
 * The ledger's PostgreSQL pool. Its default (20) was seen to deadlock under 16 concurrent writes with
 * client retries (a transaction idle while holding locks, the others waiting on them); 40 held with
 * 8 in flight and leaves room under PostgreSQL's usual max_connections of 100.
 */
export const DEFAULT_POSTGRES_POOL = 40;

export function postgresPoolSize() {
  const given = ENV.FORMANCE_LEDGER_POSTGRES_POOL;
  if (given === undefined || given === "") return DEFAULT_POSTGRES_POOL;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `FORMANCE_LEDGER_POSTGRES_POOL must be a positive integer (got ${JSON.stringify(given)})`,
    );
  }
  return n;
}

const pg = {
  host: ENV.PGHOST && !ENV.PGHOST.startsWith("/") ? ENV.PGHOST : "127.0.0.1",
  port: Number(ENV.PGPORT || 5432),
  user: ENV.PGUSER || "root",
};

const noop = () => {};

// ---------------------------------------------------------------- helpers

function firstLine(text) {
  return (
    text
      .trim()
      .split("\n")
      .find((l) => l.trim()) ?? ""
  ).trim();
}

// ---------------------------------------------------------------- PostgreSQL

function pgArgs(db) {
  return [
    "-h",
    pg.host,
    "-p",
    String(pg.port),
    "-U",
    pg.user,
    "-d",
    db,
    "-v",
    "ON_ERROR_STOP=1",
    "-X",
    "-q",
    "-t",
    "-A",
  ];
}

function pgEnv() {
  return { ...ENV, PGCONNECT_TIMEOUT: ENV.PGCONNECT_TIMEOUT || "5" };
}

async function psql(sql, db = "postgres") {
  const r = await run("psql", [...pgArgs(db), "-c", sql], { env: pgEnv(), timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`psql failed (${sql}): ${tail(r.stderr, 5)}`);
  return r.stdout.trim();
}

function psqlSync(sql, db = "postgres") {
  return spawnSync("psql", [...pgArgs(db), "-c", sql], { env: pgEnv(), timeout: 15_000, stdio: "ignore" });
}

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

function tcpReachable(host, port, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export function postgresUri(database) {
  const auth = ENV.PGPASSWORD
    ? `${encodeURIComponent(pg.user)}:${encodeURIComponent(ENV.PGPASSWORD)}`
    : encodeURIComponent(pg.user);
  return `postgres://${auth}@${pg.host}:${pg.port}/${encodeURIComponent(database)}?sslmode=disable`;
}

export async function createDatabase(name) {
  await psql(`CREATE DATABASE ${quoteIdent(name)}`);
}

export async function dropDatabase(name) {
  try {
    await psql(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } catch {
    // PostgreSQL < 13 has no WITH (FORCE).
    await psql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name.replaceAll("'", "''")}'`,
    );
    await psql(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }
}

export async function databaseExists(name) {
  const out = await psql(`SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`);
  return out === "1";
}

// ---------------------------------------------------------------- Go module pin

async function readGoFiles(dir) {
  const read = (f) => readFile(join(dir, f), "utf8").catch(() => "");
  const [mod, sum, main] = await Promise.all([read("go.mod"), read("go.sum"), read("main.go")]);
  return { mod, sum, main };
}

function pinnedVersion(goMod) {
  const m = goMod.match(/^\s*(?:require\s+)?github\.com\/formancehq\/ledger\s+(v\S+)/m);
  return m ? m[1] : null;
}

export async function isPinned(dir = GO_DIR) {
  return Boolean(pinnedVersion((await readGoFiles(dir)).mod));
}

function parseReplaces(goMod) {
  const text = goMod.replace(/\/\/.*$/gm, "");
  const lines = [];
  for (const block of text.matchAll(/^\s*replace\s*\(([\s\S]*?)\)/gm)) lines.push(...block[1].split("\n"));
  for (const single of text.matchAll(/^\s*replace\s+([^(\s][^\n]*)$/gm)) lines.push(single[1]);
  const out = [];
  for (const line of lines) {
    const m = line.trim().match(/^(\S+)(?:\s+(\S+))?\s*=>\s*(\S+)(?:\s+(\S+))?$/);
    if (m) out.push({ oldPath: m[1], oldVersion: m[2], newPath: m[3], newVersion: m[4] });
  }
  return out;
}

/**
 * Pins the wrapper module in `dir` to LEDGER_COMMIT: requires the ledger (and
 * its nested modules that the ledger replaces with local paths, such as
 * pkg/client) at that commit, copies the ledger's other replace directives
 * (they are ignored in dependencies, so `go install ledger@version` refuses
 * them) and runs `go mod tidy`, which writes go.sum.
 */
export async function pinLedger({ dir = GO_DIR, log = noop } = {}) {
  log(`stack: resolving ${LEDGER_MODULE}@${LEDGER_COMMIT} (${LEDGER_TAG}) through the Go module proxy`);
  const ledger = await goModDownload(`${LEDGER_MODULE}@${LEDGER_COMMIT}`, dir);
  const upstreamMod = await readFile(ledger.GoMod, "utf8");
  const moduleLine = upstreamMod.match(/^module\s+(\S+)/m)?.[1];
  if (moduleLine && moduleLine !== LEDGER_MODULE) {
    throw new Error(`the ledger's go.mod declares module ${moduleLine}, expected ${LEDGER_MODULE}`);
  }
  const edits = [`-require=${LEDGER_MODULE}@${ledger.Version}`];
  for (const r of parseReplaces(upstreamMod)) {
    const local = r.newPath.startsWith("./") || r.newPath.startsWith("../");
    if (local) {
      if (r.oldPath.startsWith(`${LEDGER_MODULE}/`)) {
        const nested = await goModDownload(`${r.oldPath}@${LEDGER_COMMIT}`, dir);
        edits.push(`-require=${r.oldPath}@${nested.Version}`);
        log(`stack: ${r.oldPath} => ${nested.Version}`);
      } else {
        log(`stack: warning: cannot mirror local replace ${r.oldPath} => ${r.newPath}`);
      }
      continue;
    }
    const from = r.oldVersion ? `${r.oldPath}@${r.oldVersion}` : r.oldPath;
    const to = r.newVersion ? `${r.newPath}@${r.newVersion}` : r.newPath;
    edits.push(`-replace=${from}=${to}`);
    log(`stack: replace ${from} => ${to}`);
  }
  let r = await run(goBinary(), ["mod", "edit", ...edits], { cwd: dir, env: goEnv() });
  if (r.code !== 0) throw new Error(`go mod edit failed: ${tail(r.stderr)}`);
  log("stack: go mod tidy");
  r = await run(goBinary(), ["mod", "tidy"], { cwd: dir, env: goEnv(), timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`go mod tidy failed: ${tail(r.stderr)}`);
  log(`stack: pinned ${LEDGER_MODULE} ${ledger.Version}`);
  return { version: ledger.Version };
}

// ---------------------------------------------------------------- binary
//
// Where the binary comes from, in order:
//   1. FORMANCE_LEDGER_BIN: a prebuilt binary, used as is.
//   2. The cache: a binary an earlier run built (from either source below).
//   3. "proxy": the wrapper module in ./go, built with the ledger from the Go module proxy (what users have).
//   4. "sources": a local checkout of the Formance sources with their `build.sh` (for machines whose
//      proxy refuses github.com/formancehq/*): FORMANCE_THIRD_PARTY_DIR, default ../shared/third_party
//      beside the repository. Built with `build.sh ledger OUT`; nothing is copied into the repository.

// The ledger's proxy build: the wrapper module in ./go, pinned to LEDGER_COMMIT (binaries.mjs tries
// it after FORMANCE_LEDGER_BIN and the cache, and before the local sources).
const PROXY_PROBE_TIMEOUT_MS = 60_000;

export { cacheDir, thirdPartyDir };

const ledgerProxy = {
  /** Cache name of a proxy build: a hash of what it depends on. */
  cacheName: async () => {
    const files = await readGoFiles(GO_DIR);
    return `ledger-${LEDGER_TAG}-proxy-${hashOf([files.mod, files.sum, files.main, LDFLAGS, LEDGER_COMMIT])}`;
  },
  /** null when the Go module proxy serves the ledger; else why not. */
  refusal: async () => {
    const go = await run(goBinary(), ["version"], { env: goEnv() });
    if (go.code !== 0) return "Go is not installed (go not on PATH)";
    const query = (await isPinned(GO_DIR)) ? LEDGER_MODULE : `${LEDGER_MODULE}@${LEDGER_COMMIT}`;
    try {
      await goModDownload(query, GO_DIR, PROXY_PROBE_TIMEOUT_MS);
      return null;
    } catch (error) {
      return `the Go module proxy does not serve ${query} (${error.reason ?? error.message})`;
    }
  },
  build: async (out, log) => {
    let buildDir = GO_DIR;
    let scratch;
    try {
      if (!(await isPinned(GO_DIR))) {
        // Pin in a scratch copy so the build works before go.mod/go.sum are committed.
        await mkdir(cacheDir(), { recursive: true });
        scratch = await mkdtemp(join(cacheDir(), "build-"));
        await copyFile(join(GO_DIR, "go.mod"), join(scratch, "go.mod"));
        await copyFile(join(GO_DIR, "main.go"), join(scratch, "main.go"));
        log("stack: stack/go is not pinned (see `node stack/cli.mjs pin`); pinning a scratch copy");
        await pinLedger({ dir: scratch, log });
        buildDir = scratch;
      }
      const r = await run(goBinary(), ["build", "-trimpath", "-ldflags", LDFLAGS, "-o", out, "."], {
        cwd: buildDir,
        env: goEnv(),
        timeoutMs: BUILD_TIMEOUT_MS,
      });
      if (r.code !== 0) throw new Error(`go build failed (exit ${r.code}):\n${tail(r.stderr)}`);
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  },
};

/** The cached binary, if an earlier build left one: the proxy build first, then the sources build. */
export async function cachedLedgerBinary() {
  return cachedBinary("ledger", ledgerProxy);
}

/**
 * The ledger binary to run and where it came from: FORMANCE_LEDGER_BIN, the cache, or a fresh build
 * (through the Go module proxy, else from the local sources). Throws, saying why, when none is possible.
 * @returns {Promise<{path: string, source: string}>}
 */
export async function obtainLedgerBinary({ log = noop } = {}) {
  return obtainBinary("ledger", { log, proxy: ledgerProxy });
}

/** Builds the ledger binary unless it is already cached; returns its path. */
export async function ensureLedgerBinary({ log = noop } = {}) {
  return (await obtainLedgerBinary({ log })).path;
}

// ---------------------------------------------------------------- prerequisites

/**
 * null when a ledger can be started here, else a plain-English reason.
 */
export async function prerequisites() {
  // PostgreSQL
  const which = await run("psql", ["--version"]);
  if (which.code !== 0) return "psql (the PostgreSQL client) is not installed (psql not on PATH)";
  if (!(await tcpReachable(pg.host, pg.port))) return `PostgreSQL is not reachable at ${pg.host}:${pg.port}`;
  const sel = await run("psql", [...pgArgs("postgres"), "-c", "select 1"], {
    env: pgEnv(),
    timeoutMs: 15_000,
  });
  if (sel.code !== 0 || sel.stdout.trim() !== "1") {
    return `PostgreSQL at ${pg.host}:${pg.port} refused user ${pg.user}: ${firstLine(sel.stderr)}`;
  }

  // Ledger binary: given, cached, or buildable (through the proxy, else from the local sources).
  const refused = await binaryRefusal("ledger", ledgerProxy);
  return refused ? `${refused} (a prebuilt ledger ${LEDGER_TAG} binary)` : null;
}

// ---------------------------------------------------------------- serve

// Ports are drawn below the kernel's ephemeral range (32768 and up on Linux), so that no outgoing
// connection of another process can take one between the pick and the service's own bind, and never
// handed out twice by one process.
const handedOut = new Set();

export async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port) || !(await canBind(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free port found between 20000 and 32000 on 127.0.0.1");
}

function canBind(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

const helpCache = new Map();
async function serveFlags(bin) {
  if (!helpCache.has(bin)) {
    const r = await run(bin, ["serve", "--help"], { timeoutMs: 30_000 });
    helpCache.set(bin, r.stdout + r.stderr);
  }
  const help = helpCache.get(bin);
  const flags = [...REQUIRED_FLAGS];
  const missing = [];
  for (const [name, args, warn] of OPTIONAL_FLAGS) {
    const re = new RegExp(`${name.replace(/[-]/g, "\\-")}(?![\\w-])`);
    if (re.test(help)) flags.push(...(typeof args === "function" ? args() : args));
    else if (warn) missing.push(name);
  }
  return { flags, missing };
}

async function healthy(url) {
  for (const path of HEALTH_PATHS) {
    try {
      const res = await fetch(url + path, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // not up yet
    }
  }
  return false;
}

export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
export async function killPid(pid, graceMs = 10_000) {
  if (!pid || !pidAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}

const running = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test process exits without calling stop().
  process.on("exit", () => {
    for (const l of running) {
      try {
        process.kill(l.pid, "SIGKILL");
      } catch {
        // gone
      }
      psqlSync(`DROP DATABASE IF EXISTS ${quoteIdent(l.database)} WITH (FORCE)`);
    }
  });
}

/**
 * Starts `ledger serve` on a fresh database.
 *
 * @param {object} [options]
 * @param {number} [options.port] loopback port (default: a free one)
 * @param {(line: string) => void} [options.log]
 * @param {boolean} [options.detached] let the ledger outlive this process (used by `cli.mjs up`)
 * @param {string} [options.logFile] file the ledger's stdout/stderr go to (required when detached)
 * @param {number} [options.timeoutMs] how long to wait for it to become healthy (default 60 s)
 * @returns {Promise<{url: string, database: string, pid: number, port: number, binary: string, source: string, timings: {buildMs: number, startMs: number}, stop: () => Promise<void>}>}
 */
export async function startLedger({ port, log = noop, detached = false, logFile, timeoutMs = 60_000 } = {}) {
  const reason = await prerequisites();
  if (reason) throw new Error(`cannot start the ledger: ${reason}`);

  const t0 = Date.now();
  const { path: bin, source } = await obtainLedgerBinary({ log });
  const buildMs = Date.now() - t0;

  const t1 = Date.now();
  const { flags, missing } = await serveFlags(bin);
  if (missing.length) log(`stack: warning: this ledger's serve has no ${missing.join(", ")}`);
  port ??= await freePort();
  const database = `sdk_e2e_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const url = `http://127.0.0.1:${port}`;
  await createDatabase(database);

  const args = ["serve", "--bind", `127.0.0.1:${port}`, "--postgres-uri", postgresUri(database), ...flags];
  log(`stack: ${bin} ${args.join(" ")}`);

  let output = "";
  let child;
  let logFd;
  try {
    if (detached) {
      if (!logFile) throw new Error("startLedger: detached needs a logFile");
      logFd = openSync(logFile, "a");
      child = spawn(bin, args, { detached: true, stdio: ["ignore", logFd, logFd] });
    } else {
      child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
      const keep = (d) => {
        output = (output + d).slice(-20_000);
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
    }
  } catch (error) {
    await dropDatabase(database);
    throw error;
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }

  let exited = null;
  const exitedPromise = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on("error", (error) => {
      exited = { error };
      resolve();
    });
  });

  let stopped = false;
  const handle = { pid: child.pid, database };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(handle);
    if (!exited) await killPid(child.pid);
    await dropDatabase(database);
  };
  if (!detached) {
    running.add(handle);
    installExitHook();
  }

  const recentOutput = async () =>
    detached ? tail(await readFile(logFile, "utf8").catch(() => ""), 30) : tail(output, 30);

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const out = await recentOutput();
      await stop();
      throw new Error(
        `ledger exited before becoming healthy (${exited.error ?? `code ${exited.code}, signal ${exited.signal}`}):\n${out}`,
      );
    }
    if (await healthy(url)) break;
    if (Date.now() > deadline) {
      const out = await recentOutput();
      await stop();
      throw new Error(`ledger not healthy at ${url} after ${timeoutMs} ms:\n${out}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), exitedPromise]);
  }
  const startMs = Date.now() - t1;
  if (detached) child.unref();
  log(
    `stack: ledger healthy at ${url} (database ${database}, pid ${child.pid}; binary from ${source}; build/cache ${buildMs} ms, start ${startMs} ms)`,
  );

  return { url, database, pid: child.pid, port, binary: bin, source, timings: { buildMs, startMs }, stop };
}
