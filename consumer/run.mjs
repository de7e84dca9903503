#!/usr/bin/env node
// Packed-tarball consumer test: what a user gets from `npm install @formance/...`.
//
//   node consumer/run.mjs [--runtimes] [--keep]
//
// 1. `pnpm pack` every publishable package (core, the 8 services, the umbrella) into a temp dir; pnpm
//    rewrites `workspace:` ranges to versions. The tarballs are checked: no `workspace:` left, every file
//    the exports map, main, module and types name is inside.
// 2. Three throwaway projects in os.tmpdir(), one `npm install` each (the tarballs, plus valibot from the
//    registry): `esm` ("type": "module", import), `cjs` (require), `ts` (typescript 5.9.3 + @types/node,
//    `tsc --noEmit` under moduleResolution node16 and bundler).
// 3. esm and cjs load every entry point and make calls against a local node:http server (bigint amounts
//    exact, request bytes, typed errors, webhooks signatures); ts type-checks a file importing every entry.
//    Node here is the one running this script (the tooling's Node 24 under scripts/run.mjs).
// 4. With --runtimes (CI), Node 22, the oldest Node the packages support, runs the esm and cjs scripts
//    too, from the registry's `node-<os>-<arch>` package installed into the temp dir.
// 5. Bun and Deno run the esm project's script when `bun` / `deno` are on PATH, or, with --runtimes, after
//    `npm install bun deno` into the temp dir. Otherwise they are skipped with a note.
//
// Needs the packages built (`pnpm turbo run build`), pnpm, npm and the npm registry (or its cache).
// Nothing is written to the repository. The temp dir is removed unless --keep is given or a step fails.
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FLOOR_NODE, nodePackage } from "../scripts/node-versions.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const fixtures = join(here, "fixtures");
const args = new Set(process.argv.slice(2));
const TYPESCRIPT = "typescript@5.9.3";
const TYPES_NODE = "@types/node@22";
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"];

const t0 = Date.now();
const timings = [];
const work = mkdtempSync(join(tmpdir(), "formance-consumer-"));
let failed = false;

function log(message) {
  console.log(`› ${message}`);
}

/** Runs a command; resolves with its output, rejects with the output attached. */
function exec(cmd, argv, { cwd, env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise(out);
      else
        reject(
          Object.assign(new Error(`${cmd} ${argv.join(" ")} failed (${code ?? signal}) in ${cwd}\n${out}`), {
            out,
          }),
        );
    });
  });
}

async function step(name, fn) {
  const started = Date.now();
  const result = await fn();
  const ms = Date.now() - started;
  timings.push([name, ms]);
  log(`${name} (${(ms / 1000).toFixed(1)} s)`);
  return result;
}

/** The pinned pnpm: the one running us, .tools/ (scripts/run.mjs installs it there), or PATH. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  const local = join(root, ".tools", "node_modules", ".bin", "pnpm");
  if (existsSync(local)) return [local, []];
  return ["pnpm", []];
}

function which(bin) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

function readPackage(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

/** Every file an exports map (or main/module/types) points at. */
function referencedFiles(pkg) {
  const files = new Set([pkg.main, pkg.module, pkg.types].filter(Boolean));
  const walk = (node) => {
    if (typeof node === "string") files.add(node);
    else if (node && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(pkg.exports);
  return [...files].map((f) => f.replace(/^\.\//, ""));
}

async function main() {
  const [pnpmBin, pnpmPre] = pnpmCommand();
  const packages = readdirSync(join(root, "packages"))
    .map((d) => join(root, "packages", d))
    .filter((d) => existsSync(join(d, "package.json")))
    .map((dir) => ({ dir, pkg: readPackage(dir) }))
    .filter(({ pkg }) => !pkg.private);
  const versions = Object.fromEntries(packages.map(({ pkg }) => [pkg.name, pkg.version]));
  for (const { dir, pkg } of packages) {
    for (const file of referencedFiles(pkg)) {
      if (!existsSync(join(dir, file))) {
        throw new Error(
          `${pkg.name}: ${file} is missing: build first (pnpm turbo run build --concurrency=2)`,
        );
      }
    }
  }
  log(`work dir ${work}`);

  // 1. Pack, two at a time.
  const tarballs = {};
  await step(`pnpm pack ${packages.length} packages`, async () => {
    const queue = [...packages];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const dest = join(work, "tarballs", p.pkg.name.replace("@formance/", ""));
        mkdirSync(dest, { recursive: true });
        await exec(pnpmBin, [...pnpmPre, "pack", "--pack-destination", dest], { cwd: p.dir });
        const [file] = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
        if (!file) throw new Error(`pnpm pack wrote no tarball for ${p.pkg.name}`);
        tarballs[p.pkg.name] = join(dest, file);
      }
    };
    await Promise.all([worker(), worker()]);
  });

  // Inspect each tarball: the manifest users get, and the files it points at.
  const entries = [];
  const noLicense = [];
  await step("inspect tarballs", async () => {
    for (const { pkg } of packages) {
      const tgz = tarballs[pkg.name];
      const listing = new Set(
        execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" })
          .split("\n")
          .filter(Boolean)
          .map((f) => f.replace(/^package\//, "")),
      );
      const manifest = JSON.parse(
        execFileSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" }),
      );
      const text = JSON.stringify(manifest);
      if (text.includes("workspace:"))
        throw new Error(`${pkg.name}: packed package.json still has workspace: ranges`);
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (dep in versions && range !== `^${versions[dep]}`) {
            throw new Error(`${pkg.name}: ${field}.${dep} is ${range}, expected ^${versions[dep]}`);
          }
        }
      }
      for (const file of referencedFiles(manifest)) {
        if (!listing.has(file))
          throw new Error(`${pkg.name}: the tarball lacks ${file}, which package.json points at`);
      }
      if (![...listing].some((f) => /^licen[cs]e(\.|$)/i.test(f))) noLicense.push(pkg.name);
      const stray = [...listing].filter((f) =>
        /^(src|test|tests)\/|\.test\.|tsconfig|tsup\.config|vitest\.config/.test(f),
      );
      if (stray.length) throw new Error(`${pkg.name}: the tarball ships ${stray.join(", ")}`);
      for (const subpath of Object.keys(manifest.exports ?? {})) {
        if (subpath === "./package.json") continue;
        entries.push({
          pkg: pkg.name,
          subpath,
          spec: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        });
      }
    }
  });

  if (noLicense.length)
    log(
      `note: no LICENSE file in ${noLicense.length === packages.length ? "any tarball" : noLicense.join(", ")}`,
    );

  // 2. Projects.
  const tgzs = packages.map(({ pkg }) => tarballs[pkg.name]);
  const projects = {
    esm: { type: "module", files: { "index.js": "esm.mjs", "lazy-fetch.js": "lazy-fetch.mjs" }, extra: [] },
    cjs: { type: undefined, files: { "index.js": "cjs.cjs" }, extra: [] },
    ts: {
      type: "module",
      files: {
        "consumer.ts": "ts/consumer.ts",
        "consumer-cjs.cts": "ts/consumer-cjs.cts",
        "tsconfig.node16.json": "ts/tsconfig.node16.json",
        "tsconfig.bundler.json": "ts/tsconfig.bundler.json",
      },
      extra: [TYPESCRIPT, TYPES_NODE],
    },
  };
  for (const [name, project] of Object.entries(projects)) {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const manifest = { name: `formance-consumer-${name}`, version: "0.0.0", private: true };
    if (project.type) manifest.type = project.type;
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [to, from] of Object.entries(project.files)) cpSync(join(fixtures, from), join(dir, to));
    if (name !== "ts") {
      cpSync(join(fixtures, "mock-server.cjs"), join(dir, "mock-server.cjs"));
      cpSync(join(fixtures, "scenario.cjs"), join(dir, "scenario.cjs"));
      writeFileSync(join(dir, "entries.json"), `${JSON.stringify(entries, null, 2)}\n`);
      cpSync(join(root, "tools/codegen/services.json"), join(dir, "services.json")); // the service table
    }
    project.dir = dir;
  }

  // The TypeScript file must import every entry point (a new subpath must be added there).
  const tsSource = readFileSync(join(fixtures, "ts", "consumer.ts"), "utf8");
  const ctsSource = readFileSync(join(fixtures, "ts", "consumer-cjs.cts"), "utf8");
  for (const { spec } of entries) {
    for (const [file, source] of [
      ["consumer.ts", tsSource],
      ["consumer-cjs.cts", ctsSource],
    ]) {
      if (!source.includes(`from "${spec}"`)) throw new Error(`fixtures/ts/${file} does not import ${spec}`);
    }
  }

  await step("npm install (esm, cjs, ts in parallel)", () =>
    Promise.all(
      Object.values(projects).map((p) =>
        exec("npm", ["install", ...NPM_FLAGS, ...tgzs, ...p.extra], { cwd: p.dir }),
      ),
    ),
  );

  // Every @formance package is installed once, at the top level (the umbrella's ^ranges met by the tarballs).
  for (const p of Object.values(projects)) {
    const scope = join(p.dir, "node_modules", "@formance");
    const installed = readdirSync(scope).sort();
    if (installed.length !== packages.length)
      throw new Error(`${p.dir}: installed @formance/${installed.join(", ")}`);
    for (const name of installed) {
      const nested = join(scope, name, "node_modules");
      if (existsSync(nested))
        throw new Error(`${p.dir}: nested node_modules under @formance/${name}: ${readdirSync(nested)}`);
      const lock = JSON.parse(readFileSync(join(p.dir, "package-lock.json"), "utf8"));
      const resolved = lock.packages[`node_modules/@formance/${name}`]?.resolved ?? "";
      if (!resolved.startsWith("file:"))
        throw new Error(`${p.dir}: @formance/${name} came from ${resolved}, not the tarball`);
    }
  }

  // 3. Run everything, then report every failure (not just the first).
  const node = process.execPath;
  const tsc = join(projects.ts.dir, "node_modules", "typescript", "bin", "tsc");
  const checks = [
    [`esm (node ${process.version})`, node, ["index.js"], projects.esm.dir],
    [`cjs (node ${process.version})`, node, ["index.js"], projects.cjs.dir],
    [`lazy fetch (node ${process.version})`, node, ["lazy-fetch.js"], projects.esm.dir],
    ["tsc node16", node, [tsc, "-p", "tsconfig.node16.json"], projects.ts.dir],
    ["tsc bundler", node, [tsc, "-p", "tsconfig.bundler.json"], projects.ts.dir],
  ];
  const failures = [];
  const settle = async (label, cmd, argv, cwd, env) => {
    try {
      const out = await exec(cmd, argv, { cwd, env });
      process.stdout.write(out.trim() ? out : `${label} ok\n`);
    } catch (error) {
      failures.push(label);
      console.error(`✗ ${label}: ${error.message}`);
    }
  };
  await step("esm, cjs, tsc node16 and tsc bundler in parallel", () =>
    Promise.all(checks.map(([label, cmd, argv, cwd]) => settle(label, cmd, argv, cwd))),
  );

  // 4 and 5. Node 22, Bun and Deno.
  let bun = which("bun");
  let deno = which("deno");
  let node22;
  if (args.has("--runtimes")) {
    const wanted = [nodePackage(FLOOR_NODE)];
    if (!bun) wanted.push("bun");
    if (!deno) wanted.push("deno");
    await step(`npm install ${wanted.join(" ")}`, async () => {
      const dir = join(work, "runtimes");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "package.json"), '{ "name": "runtimes", "private": true }\n');
      // The Bun and Deno binaries come from the optionalDependencies (@oven/bun-linux-x64,
      // @deno/linux-x64-glibc). Their postinstall scripts only put that binary in place (bun's bin is a
      // placeholder until then): run them explicitly, so it works whatever npm's install-scripts policy is.
      await exec("npm", ["install", ...NPM_FLAGS, ...wanted], { cwd: dir });
      if (!bun) await exec(process.execPath, ["install.js"], { cwd: join(dir, "node_modules", "bun") });
      if (!deno) await exec(process.execPath, ["install.cjs"], { cwd: join(dir, "node_modules", "deno") });
      const bin = join(dir, "node_modules", ".bin");
      node22 = join(bin, "node");
      bun ??= join(bin, "bun");
      deno ??= join(bin, "deno");
    });
  }
  if (node22) {
    const version = (await exec(node22, ["--version"], { cwd: work })).trim();
    if (version !== `v${FLOOR_NODE}`) throw new Error(`${node22} is ${version}, expected v${FLOOR_NODE}`);
    await step(`node ${version}: esm + cjs scripts`, () =>
      Promise.all([
        settle(`esm (node ${version})`, node22, ["index.js"], projects.esm.dir),
        settle(`cjs (node ${version})`, node22, ["index.js"], projects.cjs.dir),
      ]),
    );
  } else log(`node ${FLOOR_NODE}: skipped (pass --runtimes to install it from npm)`);
  if (bun) {
    await step("bun: esm + cjs scripts", async () => {
      await settle("esm (bun)", bun, ["index.js"], projects.esm.dir);
      await settle("cjs (bun)", bun, ["index.js"], projects.cjs.dir);
    });
  } else log("bun: skipped (not on PATH; pass --runtimes to install it from npm)");
  if (deno) {
    await step("deno: esm script", () =>
      settle("esm (deno)", deno, ["run", "--allow-all", "--no-prompt", "index.js"], projects.esm.dir, {
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
      }),
    );
  } else log("deno: skipped (not on PATH; pass --runtimes to install it from npm)");
  if (failures.length) throw new Error(`failed: ${failures.join(", ")}`);
}

try {
  await main();
  console.log(`✓ consumer: passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(`✗ consumer: ${error.message} (after ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  process.exitCode = 1;
} finally {
  if (args.has("--keep") || failed) console.log(`(kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}
