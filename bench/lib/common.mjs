// Helpers shared by the benchmark scripts: paths, statistics, markdown tables, child processes,
// and the local HTTP server (lib/server.mjs) that the per-call and memory benchmarks talk to.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(BENCH_DIR, "..");
export const PACKAGES = resolve(ROOT, "packages");

/** `--name=value` / `--name value` / `--flag` from argv. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq !== -1) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--") && JSON_VALUE_FLAGS.has(a.slice(2))) {
      out[a.slice(2)] = argv[++i];
    } else out[a.slice(2)] = true;
  }
  return out;
}
const JSON_VALUE_FLAGS = new Set(["json", "rounds", "calls", "runs", "items"]);

/** Writes the machine-readable result when `--json=<file>` was given (what run.mjs reads). */
export function writeJSON(args, value) {
  if (typeof args.json === "string") {
    writeFileSync(
      args.json,
      `${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v), 2)}\n`,
    );
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
export const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ms = (value) => `${value.toFixed(1)} ms`;
export const us = (value) => `${value < 10 ? value.toFixed(1) : Math.round(value)} µs`;
export const x = (value) => `${value.toFixed(2)}x`;

/**
 * A markdown table, columns padded the way the repository's formatter (Biome) lays them out;
 * `align` is a string of `l`/`r` per column (default: first left, rest right).
 */
export function table(headers, rows, align) {
  const a = align ?? `l${"r".repeat(headers.length - 1)}`;
  const all = [headers, ...rows].map((r) => r.map(String));
  const width = headers.map((_, i) => Math.max(3, ...all.map((r) => [...r[i]].length)));
  const cell = (text, i) => {
    const pad = " ".repeat(width[i] - [...text].length);
    return a[i] === "r" ? pad + text : text + pad;
  };
  const sep = width.map((w, i) => (a[i] === "r" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(all[0].map(cell)), line(sep), ...all.slice(1).map((r) => line(r.map(cell)))].join("\n");
}

export function machine() {
  let model = cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) model = line.split(":")[1].trim();
  } catch {}
  return { cpu: model, cores: cpus().length, node: process.version, date: new Date().toISOString() };
}

/**
 * Runs `node <script> ...args` and resolves with its stdout (stderr is passed through).
 * Rejects on a non-zero exit.
 */
export function runNode(script, args = [], { nodeArgs = [], cwd = BENCH_DIR, env, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      env: env ?? process.env,
      stdio: ["ignore", "pipe", quiet ? "pipe" : "inherit"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${script} ${args.join(" ")} exited with ${code}\n${err}${out.slice(-2000)}`));
    });
  });
}

/**
 * Starts lib/server.mjs in its own process (so its CPU is not counted in the client's) and
 * resolves with `{ url, close }` once it listens.
 */
export function startServer(extraArgs = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(BENCH_DIR, "lib/server.mjs"), ...extraArgs], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    const onData = (d) => {
      buffer += d;
      const match = /listening (\d+)/.exec(buffer);
      if (match) {
        child.stdout.off("data", onData);
        child.stdout.resume();
        resolvePromise({
          url: `http://127.0.0.1:${match[1]}`,
          close: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
}
