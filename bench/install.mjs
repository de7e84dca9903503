// Install footprint: what `npm install` puts in node_modules.
//   ours:     `pnpm pack` of the workspace packages (core + ledger, and every package for the umbrella)
//             into a temp dir, then `npm install --prefix <tmp> <tarballs>` (dependencies from the registry)
//   previous: `npm install --prefix <tmp> @formance/formance-sdk@7.0.1` (brings zod)
//
//   node bench/install.mjs [--no-umbrella] [--json=<file>]
//
// Needs the packages built (`pnpm build`), pnpm (PATH or npm_execpath), npm and the npm registry.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mb, PACKAGES, parseArgs, table, writeJSON, x } from "./lib/common.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
const PREVIOUS = "@formance/formance-sdk@7.0.1";
const work = mkdtempSync(join(tmpdir(), "formance-install-"));

function pnpm(argv, cwd) {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return execFileSync(process.execPath, [execPath, ...argv], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
  // The pinned pnpm that `npm test` / `npm run bench` install into .tools/, else the one on PATH.
  const pinned = resolve(here, "..", ".tools", "node_modules", ".bin", "pnpm");
  const bin = existsSync(pinned) ? pinned : "pnpm";
  return execFileSync(bin, argv, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function npmInstall(prefix, specs) {
  mkdirSync(prefix, { recursive: true });
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
      ...specs,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** Apparent bytes, disk bytes (allocated blocks), files and packages under a node_modules dir. */
function footprint(dir) {
  let bytes = 0;
  let disk = 0;
  let files = 0;
  const packages = new Map();
  const walk = (path, pkgName) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (entry.name === "node_modules") walkModules(full);
        else walk(full, pkgName);
      } else {
        const st = lstatSync(full);
        bytes += st.size;
        disk += st.blocks * 512;
        files++;
        if (pkgName) packages.set(pkgName, (packages.get(pkgName) ?? 0) + st.size);
      }
    }
  };
  const walkModules = (nm) => {
    for (const entry of readdirSync(nm, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(join(nm, entry.name), { withFileTypes: true })) {
          if (scoped.isDirectory()) walk(join(nm, entry.name, scoped.name), `${entry.name}/${scoped.name}`);
        }
      } else walk(join(nm, entry.name), entry.name);
    }
  };
  walkModules(dir);
  return { bytes, disk, files, packages: Object.fromEntries([...packages].sort((a, b) => b[1] - a[1])) };
}

/** Publishable workspace packages in dependency order (core first). */
function workspacePackages() {
  return readdirSync(PACKAGES)
    .filter((d) => existsSync(resolve(PACKAGES, d, "package.json")))
    .map((d) => ({
      dir: resolve(PACKAGES, d),
      pkg: JSON.parse(readFileSync(resolve(PACKAGES, d, "package.json"), "utf8")),
    }))
    .filter(({ pkg }) => !pkg.private);
}

const results = {};
try {
  const tarballs = resolve(work, "tarballs");
  mkdirSync(tarballs);
  const all = workspacePackages();
  const wanted = args["no-umbrella"]
    ? ["@formance/sdk-core", "@formance/ledger"]
    : all.map((p) => p.pkg.name);
  const packed = {};
  for (const { dir, pkg } of all.filter((p) => wanted.includes(p.pkg.name))) {
    if (!existsSync(resolve(dir, "dist"))) throw new Error(`${pkg.name} is not built (run pnpm build)`);
    const before = new Set(readdirSync(tarballs));
    pnpm(["pack", "--pack-destination", tarballs], dir);
    const file = readdirSync(tarballs).find((f) => !before.has(f));
    packed[pkg.name] = resolve(tarballs, file);
  }

  const ledgerDir = resolve(work, "ours-ledger");
  npmInstall(ledgerDir, [packed["@formance/sdk-core"], packed["@formance/ledger"]]);
  const ledger = footprint(resolve(ledgerDir, "node_modules"));
  const others = Object.keys(ledger.packages).filter((n) => n !== "@formance/ledger");
  results.ledger = { label: `ours: \`@formance/ledger\` (+ ${others.join(", ")})`, ...ledger };

  if (!args["no-umbrella"]) {
    const umbrellaDir = resolve(work, "ours-umbrella");
    npmInstall(umbrellaDir, Object.values(packed));
    results.umbrella = {
      label: "ours: `@formance/sdk` (every service)",
      ...footprint(resolve(umbrellaDir, "node_modules")),
    };
  }

  const prevDir = resolve(work, "previous");
  npmInstall(prevDir, [PREVIOUS]);
  results.previous = {
    label: `previous: \`${PREVIOUS}\` (+ zod)`,
    ...footprint(resolve(prevDir, "node_modules")),
  };
} finally {
  rmSync(work, { recursive: true, force: true });
}

const prev = results.previous;
const rows = Object.values(results).map((r) => [
  r.label,
  mb(r.bytes),
  r === prev ? "1.00x" : x(r.bytes / prev.bytes),
  mb(r.disk),
  r.files.toLocaleString("en-US"),
  String(Object.keys(r.packages).length),
  Object.entries(r.packages)
    .slice(0, 4)
    .map(([n, b]) => `${n} ${mb(b)}`)
    .join(", "),
]);
console.log("### Install footprint (`npm install`, node_modules)\n");
console.log(
  table(["", "size (apparent)", "vs previous", "on disk (du)", "files", "packages", "largest"], rows),
);
writeJSON(args, { results });
