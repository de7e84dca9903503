// Obtains the binaries of the Formance services (and of the Temporal CLI) for the local stack.
//
// One order for every service (`obtainBinary(name)`):
//   1. FORMANCE_<NAME>_BIN: a prebuilt binary, used as is.
//   2. The cache: a binary an earlier run built, keyed by service, version and source kind.
//   3. "proxy": a build through the Go module proxy (what users normally have). The ledger brings its
//      own proxy builder (the wrapper module in ./go, see ledger.mjs); every other service is
//      `go install <module>@<version>` after one `go mod download` probe.
//   4. "sources": a directory holding the Formance sources and their `build.sh`
//      (FORMANCE_THIRD_PARTY_DIR, default ../shared/third_party beside the repository), built with
//      `build.sh <service> <temporary file>`; nothing is copied into this repository.
//
// Plain ESM, node: builtins only.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, cp, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ENV = process.env;
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PROXY_PROBE_TIMEOUT_MS = 60_000;
export const BUILD_TIMEOUT_MS = 45 * 60_000;

/**
 * Every binary the stack runs: the Go module it comes from, the version `../openapi` is pinned to, and
 * the package `go install` builds (the module root unless said otherwise).
 */
export const SERVICES = {
  ledger: { module: "github.com/formancehq/ledger", version: "v2.4.12" },
  auth: { module: "github.com/formancehq/auth", version: "v2.4.3" },
  gateway: { module: "github.com/formancehq/gateway", version: "v2.0.18" },
  wallets: { module: "github.com/formancehq/wallets", version: "v2.2.0" },
  webhooks: { module: "github.com/formancehq/webhooks", version: "v2.5.3" },
  // Built with `-tags it`, which compiles in the dummypay test connector. Its `workbench` command embeds
  // a built web UI (`//go:embed ui/dist/*` in payments `tools/workbench/server.go`) that the source tree
  // does not hold, so a build from sources needs a placeholder there (the stack never runs the workbench).
  payments: {
    module: "github.com/formancehq/payments",
    version: "v3.4.0",
    tags: "it",
    placeholders: ["formancehq-payments/tools/workbench/ui/dist/index.html"],
  },
  orchestration: { module: "github.com/formancehq/orchestration", version: "v2.6.0" },
  reconciliation: { module: "github.com/formancehq/reconciliation", version: "v2.0.18" },
  // The Temporal CLI (`temporal server start-dev`), served whole by the proxy.
  temporal: {
    module: "github.com/temporalio/cli",
    version: "v1.5.1",
    install: "github.com/temporalio/cli/cmd/temporal",
  },
};

const noop = () => {};

// ---------------------------------------------------------------- process and file helpers

export function run(cmd, args, { cwd, env, timeoutMs = 0, input } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd, env: env ?? ENV, stdio: ["pipe", "pipe", "pipe"] });
    } catch (error) {
      resolve({ code: -1, stdout: "", stderr: String(error), error });
      return;
    }
    let stdout = "";
    let stderr = "";
    let timer;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(error), error });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
    if (timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n(timed out after ${timeoutMs} ms)`;
        child.kill("SIGKILL");
      }, timeoutMs);
    }
    child.stdin.end(input ?? "");
  });
}

export async function isExecutable(path) {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function isReadable(path) {
  try {
    await access(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export function goEnv(extra = {}) {
  return {
    ...ENV,
    // Never try to download another Go toolchain; use the one on PATH.
    GOTOOLCHAIN: ENV.GOTOOLCHAIN || "local",
    CGO_ENABLED: "0",
    GOFLAGS: [ENV.GOFLAGS, "-buildvcs=false"].filter(Boolean).join(" "),
    ...extra,
  };
}

export function goBinary() {
  return ENV.GO || "go";
}

export function tail(text, lines = 30) {
  return text.split("\n").slice(-lines).join("\n").trim();
}

export function cacheDir() {
  const base = ENV.FORMANCE_STACK_CACHE ?? (ENV.XDG_CACHE_HOME || join(homedir(), ".cache"));
  return join(base, "formance-sdk-ts");
}

export function thirdPartyDir() {
  return ENV.FORMANCE_THIRD_PARTY_DIR || join(ROOT, "..", "shared", "third_party");
}

export function hashOf(parts) {
  const h = createHash("sha256");
  for (const part of parts) {
    h.update(part);
    h.update("\0");
  }
  return h.digest("hex").slice(0, 12);
}

/** FORMANCE_LEDGER_BIN, FORMANCE_AUTH_BIN, ...: the variable naming a prebuilt binary of `name`. */
export function binaryVariable(name) {
  return `FORMANCE_${name.toUpperCase()}_BIN`;
}

function service(name) {
  const s = SERVICES[name];
  if (!s)
    throw new Error(`unknown service ${JSON.stringify(name)} (known: ${Object.keys(SERVICES).join(", ")})`);
  return s;
}

// ---------------------------------------------------------------- building

/** Runs `build(tmp)` and renames the result to `target`, so a half-written binary is never used. */
export async function buildInto(target, what, build, log = noop) {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  log(`stack: building ${what} (a first build takes minutes) -> ${target}`);
  const started = Date.now();
  const ticker = setInterval(
    () => log(`stack: still building... ${Math.round((Date.now() - started) / 1000)} s`),
    30_000,
  );
  try {
    await build(tmp);
    await rename(tmp, target);
  } finally {
    clearInterval(ticker);
    await rm(tmp, { force: true });
    await rm(`${tmp}.tmp`, { force: true });
  }
  log(`stack: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The sources of one version do not change: service and version are the key. */
export function sourcesCacheName(name) {
  return `${name}-${service(name).version}-sources`;
}

/** null when `name` can be built from the local sources; else why not. */
export async function sourcesRefusal(name) {
  const dir = thirdPartyDir();
  if (!(await isReadable(join(dir, "build.sh"))))
    return `no ${join(dir, "build.sh")} (set FORMANCE_THIRD_PARTY_DIR)`;
  if (name === "ledger" && !(await isReadable(join(dir, "formancehq-ledger", "go.mod"))))
    return `no ledger sources in ${dir}`;
  const go = await run(goBinary(), ["version"], { env: goEnv() });
  if (go.code !== 0) return "Go is not installed (go not on PATH)";
  return null;
}

/** Builds `name` with the local sources' `build.sh` into the cache; returns the path. */
export async function buildFromSources(name, log = noop) {
  const given = thirdPartyDir();
  const target = join(cacheDir(), sourcesCacheName(name));
  const { placeholders = [] } = service(name);
  let scratch;
  await buildInto(
    target,
    `${name} ${service(name).version} from the sources in ${given}`,
    async (out) => {
      let dir = given;
      if (placeholders.length) {
        // The sources may be read-only: complete a scratch copy of them instead.
        scratch = await mkdtemp(join(tmpdir(), `${name}-sources-`));
        await cp(given, scratch, { recursive: true });
        await run("chmod", ["-R", "u+w", scratch]);
        for (const file of placeholders) {
          await mkdir(dirname(join(scratch, file)), { recursive: true });
          await writeFile(join(scratch, file), "placeholder\n");
        }
        dir = scratch;
      }
      const r = await run("bash", [join(dir, "build.sh"), name, out], {
        env: goEnv(),
        timeoutMs: BUILD_TIMEOUT_MS,
      });
      if (r.code !== 0)
        throw new Error(`${join(given, "build.sh")} ${name} failed (exit ${r.code}):\n${tail(r.stderr)}`);
    },
    log,
  ).finally(() => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined));
  return target;
}

/**
 * `go mod download -json <query>`; throws an error whose `reason` is one line (a proxy refusing
 * github.com/formancehq/* answers "403 Forbidden", which shows here in well under a second).
 */
export async function goModDownload(modQuery, cwd, timeoutMs = 300_000) {
  const r = await run(goBinary(), ["mod", "download", "-json", modQuery], { cwd, env: goEnv(), timeoutMs });
  let info = {};
  try {
    if (r.stdout.trim()) info = JSON.parse(r.stdout);
  } catch {
    // no JSON: go failed before printing it
  }
  if (r.code !== 0 || info.Error) {
    const raw = info.Error || r.stderr.trim() || `exit code ${r.code}`;
    const reason = raw.replaceAll(`${modQuery}: `, "").replace(/\s+/g, " ").trim();
    const err = new Error(`go mod download ${modQuery} failed: ${reason}`);
    err.reason = reason;
    throw err;
  }
  return info;
}

/**
 * The default proxy builder: `go install <module>@<version>`. Go refuses it for a module whose go.mod
 * has replace directives; that failure, like a refusing proxy, falls through to the local sources.
 */
function goInstallProxy(name) {
  const s = service(name);
  const query = `${s.module}@${s.version}`;
  return {
    cacheName: async () => `${name}-${s.version}-proxy`,
    refusal: async () => {
      const go = await run(goBinary(), ["version"], { env: goEnv() });
      if (go.code !== 0) return "Go is not installed (go not on PATH)";
      try {
        await goModDownload(query, tmpdir(), PROXY_PROBE_TIMEOUT_MS);
        return null;
      } catch (error) {
        return `the Go module proxy does not serve ${query} (${error.reason ?? error.message})`;
      }
    },
    build: async (out) => {
      const bin = await mkdtemp(join(tmpdir(), `${name}-install-`));
      try {
        const args = ["install", "-trimpath", "-ldflags", "-s -w"];
        if (s.tags) args.push("-tags", s.tags);
        args.push(`${s.install ?? s.module}@${s.version}`);
        const r = await run(goBinary(), args, {
          cwd: tmpdir(),
          env: goEnv({ GOBIN: bin }),
          timeoutMs: BUILD_TIMEOUT_MS,
        });
        if (r.code !== 0) throw new Error(`go ${args.join(" ")} failed (exit ${r.code}):\n${tail(r.stderr)}`);
        const built = (s.install ?? s.module).split("/").pop();
        await rename(join(bin, built), out);
      } finally {
        await rm(bin, { recursive: true, force: true });
      }
    },
  };
}

const proxyVerdicts = new Map();

/**
 * The binary of `name` to run and where it came from: its FORMANCE_<NAME>_BIN, the cache, a build
 * through the Go module proxy, else one from the local sources. Throws, saying why, when none works.
 * @param {string} name a key of SERVICES
 * @param {{log?: (line: string) => void, proxy?: {cacheName(): Promise<string>, refusal(): Promise<string|null>, build(out: string, log: Function): Promise<void>}}} [options]
 * @returns {Promise<{path: string, source: string}>}
 */
export async function obtainBinary(name, { log = noop, proxy = goInstallProxy(name) } = {}) {
  const s = service(name);
  const variable = binaryVariable(name);
  if (ENV[variable]) {
    if (!(await isExecutable(ENV[variable])))
      throw new Error(`${variable}=${ENV[variable]} is not an executable file`);
    return { path: ENV[variable], source: variable };
  }
  const cached = await cachedBinary(name, proxy);
  if (cached) return cached;

  if (!proxyVerdicts.has(name)) proxyVerdicts.set(name, proxy.refusal());
  let refusedByProxy = await proxyVerdicts.get(name);
  if (!refusedByProxy) {
    const target = join(cacheDir(), await proxy.cacheName());
    try {
      await buildInto(
        target,
        `${name} ${s.version} through the Go module proxy`,
        (out) => proxy.build(out, log),
        log,
      );
      return { path: target, source: "proxy" };
    } catch (error) {
      refusedByProxy = `the build through the Go module proxy failed: ${tail(error.message, 3)}`;
    }
  }
  log(`stack: ${name}: ${refusedByProxy}; trying the local sources`);
  const refusedBySources = await sourcesRefusal(name);
  if (!refusedBySources) return { path: await buildFromSources(name, log), source: "sources" };
  throw new Error(
    `no ${name} binary: ${refusedByProxy}; and ${refusedBySources}; set ${variable} to a prebuilt ${name} ${s.version} binary`,
  );
}

/** The cached binary of `name`, if an earlier build left one: the proxy build first, then the sources build. */
export async function cachedBinary(name, proxy = goInstallProxy(name)) {
  for (const [kind, file] of [
    ["proxy", await proxy.cacheName()],
    ["sources", sourcesCacheName(name)],
  ]) {
    const path = join(cacheDir(), file);
    if (await isExecutable(path)) return { path, source: `cache (${kind})` };
  }
  return null;
}

/** null when `name` can be had here (given, cached, or buildable), else why not. */
export async function binaryRefusal(name, proxy = goInstallProxy(name)) {
  const variable = binaryVariable(name);
  if (ENV[variable])
    return (await isExecutable(ENV[variable]))
      ? null
      : `${variable}=${ENV[variable]} is not an executable file`;
  if (await cachedBinary(name, proxy)) return null;
  if (!proxyVerdicts.has(name)) proxyVerdicts.set(name, proxy.refusal());
  const refusedByProxy = await proxyVerdicts.get(name);
  if (!refusedByProxy) return null;
  const refusedBySources = await sourcesRefusal(name);
  if (!refusedBySources) return null;
  return `${name} cannot be built here: ${refusedByProxy}; and ${refusedBySources}; set ${variable}`;
}
