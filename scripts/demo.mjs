#!/usr/bin/env node
// `pnpm demo` (root script demo:run): runs examples/quickstart.ts, the README's main job.
//
// Against, in order: FORMANCE_URL (a stack, through its gateway) or FORMANCE_LEDGER_URL (a ledger on its own)
// when set; a ledger started by `node stack/cli.mjs up`; else a local ledger started here with stack/ledger.mjs
// (its binary built and cached on first use) and stopped afterwards. When no ledger can be had it says why
// and what to set, and exits 1.
//
// Node 20 cannot run TypeScript, so the quickstart is bundled with esbuild (the one tsup uses) into a
// temporary .mjs first. The packages must be built (`pnpm build`); this builds them when dist/ is missing.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => console.error(`demo: ${line}`);

async function main() {
  ensureBuilt();
  const scratch = await mkdtemp(join(tmpdir(), "formance-demo-"));
  let stopLedger;
  try {
    const script = await bundle(join(root, "examples", "quickstart.ts"), join(scratch, "quickstart.mjs"));

    const env = { ...process.env };
    if (env.FORMANCE_URL) say(`using FORMANCE_URL=${env.FORMANCE_URL}`);
    else if (env.FORMANCE_LEDGER_URL) say(`using FORMANCE_LEDGER_URL=${env.FORMANCE_LEDGER_URL}`);
    else {
      const stack = await import(pathToFileURL(join(root, "stack", "ledger.mjs")).href);
      const running = await runningStack(stack);
      if (running) {
        say(`using the ledger started by \`node stack/cli.mjs up\` at ${running}`);
        env.FORMANCE_LEDGER_URL = running;
      } else {
        const reason = await stack.prerequisites();
        if (reason) {
          console.error(
            [
              "demo: no ledger to run the quickstart against.",
              `  why: ${reason}`,
              "  what to do: point the demo at a ledger, then run `pnpm demo` again:",
              "    FORMANCE_LEDGER_URL=http://127.0.0.1:3068       a ledger v2 running on its own (no gateway)",
              "    FORMANCE_URL=https://<org>-<stack>.<env>.formance.cloud",
              "      FORMANCE_CLIENT_ID=... FORMANCE_CLIENT_SECRET=...   a Formance stack",
              "    FORMANCE_LEDGER_BIN=/path/to/ledger             a ledger v2.4.12 binary the demo can start",
              "    FORMANCE_THIRD_PARTY_DIR=/path/to/sources       the Formance sources with their build.sh (see stack/README.md)",
            ].join("\n"),
          );
          return 1;
        }
        say("starting a local ledger (the first build of the ledger takes several minutes)");
        const ledger = await stack.startLedger({ log: (line) => console.error(line) });
        stopLedger = ledger.stop;
        env.FORMANCE_LEDGER_URL = ledger.url;
      }
    }

    return await run(process.execPath, ["--enable-source-maps", script], env);
  } finally {
    if (stopLedger) {
      say("stopping the local ledger");
      await stopLedger();
    }
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The quickstart imports @formance/sdk: its dist/ (and its dependencies') must exist. */
function ensureBuilt() {
  const packages = ["core", "ledger", "formance"];
  if (packages.every((name) => existsSync(join(root, "packages", name, "dist", "index.js")))) return;
  say("building the packages (pnpm build)");
  const PATH = [
    join(root, ".tools", "node_modules", ".bin"),
    join(root, "node_modules", ".bin"),
    process.env.PATH,
  ]
    .filter(Boolean)
    .join(delimiter);
  const built = spawnSync(
    join(root, "node_modules", ".bin", "turbo"),
    ["run", "build", "--filter=@formance/sdk...", "--concurrency=3"],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, PATH },
    },
  );
  if (built.status !== 0) throw new Error("building the packages failed (see above)");
}

/** esbuild: resolvable from the root only through tsup (a root devDependency), which depends on it. */
async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch {
    const fromRoot = createRequire(join(root, "package.json"));
    const fromTsup = createRequire(fromRoot.resolve("tsup"));
    return import(pathToFileURL(fromTsup.resolve("esbuild")).href);
  }
}

async function bundle(entry, outfile) {
  const esbuild = await loadEsbuild();
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
    // The umbrella's dist keeps a bare `import "valibot"`, which esbuild drops (valibot has no side effects).
    logOverride: { "ignored-bare-import": "silent" },
    absWorkingDir: root,
  });
  return outfile;
}

async function runningStack(stack) {
  try {
    const state = JSON.parse(await readFile(join(root, ".stack", "ledger.json"), "utf8"));
    if (!state.url || !state.pid || !stack.pidAlive(state.pid)) return undefined;
    const res = await fetch(`${state.url}/_/info`, { signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.ok ? state.url : undefined;
  } catch {
    return undefined;
  }
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  },
);
