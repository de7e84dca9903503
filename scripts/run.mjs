#!/usr/bin/env node
// One entry point for the README's commands, so they work from a fresh clone with only Node and npm:
//   node scripts/run.mjs setup | test | unit | contract | e2e | demo | bench
// It installs the pinned Node and pnpm into .tools/ (from the npm registry; corepack is not relied on),
// installs the workspace, and runs the stages in order under that Node, stopping at the first failure.
// The machine's own Node only starts this script: it may be older than the SDK's floor (Node 22).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { FLOOR_NODE, nodePackage, TOOLING_NODE } from "./node-versions.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const toolsDir = join(root, ".tools");
const localPnpm = join(toolsDir, "node_modules", ".bin", "pnpm");
const localNode = join(dirname(localPnpm), "node");

/**
 * Installs Node `version` from the registry into `dir` (once) and returns its binary. The tooling
 * Node goes in .tools/ (its bin directory comes first on every child's PATH), the floor Node in
 * .tools/node-<version>/.
 */
function ensureNode(version, dir) {
  const bin = join(dir, "node_modules", ".bin", "node");
  if (readVersion(bin) !== `v${version}`) {
    const started = Date.now();
    const spec = nodePackage(version);
    console.log(`› installing Node ${version} (${spec}) into ${relative(root, dir)}/`);
    sh("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", spec]);
    console.log(`› installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return bin;
}

function ensureToolingNode() {
  ensureNode(TOOLING_NODE, toolsDir);
  console.log(
    `› tooling Node ${readVersion(localNode)} (this script was started by Node ${process.version})`,
  );
}

function pnpmPath() {
  try {
    const version = execFileSync("pnpm", ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    if (version.trim() === pinned) return "pnpm";
  } catch {}
  if (!existsSync(localPnpm) || readVersion(localPnpm) !== pinned) {
    console.log(`› installing pnpm ${pinned} into .tools/`);
    sh("npm", [
      "install",
      "--prefix",
      toolsDir,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `pnpm@${pinned}`,
    ]);
  }
  return localPnpm;
}

function readVersion(bin) {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

/** Test counts gathered from the suites' output, for the closing line. */
const totals = { passed: 0, failed: 0, skipped: 0 };
/** The e2e runner's summary (which ledger, which version, how many operations), repeated at the end. */
const e2eSummary = [];

/** Runs a command, echoing its output and adding up the vitest/contract counts it prints. */
function counted(cmd, args, env = childEnv()) {
  const result = spawnSync(cmd, args, { cwd: root, env, maxBuffer: 256 * 1024 * 1024 });
  const text = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  process.stdout.write(text);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colours.
  for (const line of text.replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
    const tests = /\bTests\s+(.*)\((\d+)\)\s*$/.exec(line);
    if (tests) {
      for (const [, n, kind] of tests[1].matchAll(/(\d+) (passed|failed|skipped)/g))
        totals[kind] += Number(n);
    }
    if (
      /^e2e: (ok|FAILED|SKIPPED)|^e2e: ledger \d+\/\d+ operations|^e2e: {3}(not exercised|answered)/.test(
        line,
      )
    )
      e2eSummary.push(line);
    const contract = /^contract: (\d+)\/(\d+) operations passed/.exec(line);
    if (contract) {
      totals.passed += Number(contract[1]);
      totals.failed += Number(contract[2]) - Number(contract[1]);
    }
  }
  if (result.status !== 0) {
    console.error(`✗ ${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    console.log(`${totals.passed} passed, ${Math.max(totals.failed, 1)} failed`);
    process.exit(result.status || 1);
  }
}

function sh(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: childEnv() });
  if (result.status !== 0) {
    console.error(`✗ ${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

/** Every child's environment: turbo and nested scripts look node and pnpm up on PATH, so the pinned ones come first. */
function childEnv() {
  return {
    ...process.env,
    PATH: `${dirname(localPnpm)}${process.platform === "win32" ? ";" : ":"}${process.env.PATH}`,
  };
}

let pnpm;
// Declaration builds are CPU-bound: more than a few at once only thrash a small machine.
const TURBO_CONCURRENCY = "--concurrency=3";
const run = (...args) => sh(pnpm, args);

const stages = {
  setup() {
    ensureToolingNode();
    pnpm = pnpmPath();
    run("install", ...(process.env.CI ? ["--frozen-lockfile"] : []));
  },
  unit() {
    run("turbo", "run", "build", TURBO_CONCURRENCY);
    run("biome", "ci", ".");
    // Every changeset must parse, or `changeset version` fails at release time.
    run("changeset", "status");
    sh(process.execPath, [join(root, "scripts", "check-commands.mjs")]);
    run("run", "size:check");
    // CI also runs the packed packages under Bun and Deno (their npm packages ship the binaries).
    run("run", process.env.CI ? "test:consumer:runtimes" : "test:consumer");
    run("run", "test:browser");
    counted(pnpm, ["turbo", "run", "typecheck", "test", "lint:package", TURBO_CONCURRENCY]);
    // CI runs the packages' suites once more on the oldest Node they support (the tooling Node is newer).
    if (process.env.CI) {
      const node = ensureNode(FLOOR_NODE, join(toolsDir, `node-${FLOOR_NODE}`));
      console.log(`› the packages' suites on Node ${readVersion(node)}`);
      const env = childEnv();
      env.PATH = `${dirname(node)}${process.platform === "win32" ? ";" : ":"}${env.PATH}`;
      counted(pnpm, ["-r", "--workspace-concurrency=2", "--filter", "./packages/*", "run", "test"], env);
    }
    if (specsAvailable()) run("codegen:check");
  },
  contract() {
    run("turbo", "run", "build", TURBO_CONCURRENCY); // a cache hit after the unit stage
    counted(pnpm, ["run", "test:contract:run"]);
  },
  e2e() {
    run("turbo", "run", "build", TURBO_CONCURRENCY); // a cache hit after the unit stage
    counted(pnpm, ["run", "test:e2e:run"]);
  },
  "e2e-stack"() {
    run("turbo", "run", "build", TURBO_CONCURRENCY); // a cache hit after the unit stage
    counted(pnpm, ["run", "test:e2e:stack:run"]);
  },
  demo() {
    run("turbo", "run", "build", TURBO_CONCURRENCY);
    run("run", "demo:run");
  },
  bench() {
    run("turbo", "run", "build", TURBO_CONCURRENCY);
    run("run", "bench:run");
  },
};

const plans = {
  setup: ["setup"],
  unit: ["setup", "unit"],
  contract: ["setup", "contract"],
  e2e: ["setup", "e2e"],
  "e2e-stack": ["setup", "e2e-stack"],
  demo: ["setup", "demo"],
  bench: ["setup", "bench"],
  test: ["setup", "unit", "contract", "e2e", "e2e-stack"],
};

function specsAvailable() {
  const dir = process.env.FORMANCE_OPENAPI_DIR ?? join(root, "..", "shared", "openapi");
  return existsSync(join(dir, "operations.json"));
}

const plan = plans[process.argv[2] ?? "test"];
if (!plan) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(plans).join(" | ")}`);
  process.exit(2);
}
const t0 = Date.now();
for (const stage of plan) {
  console.log(`\n=== ${stage}`);
  stages[stage]();
}
if (e2eSummary.length) console.log(`\n${e2eSummary.join("\n")}`);
console.log(`\n✓ ${process.argv[2] ?? "test"} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (totals.passed || totals.failed) {
  console.log(
    `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`,
  );
}
