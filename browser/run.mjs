#!/usr/bin/env node
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const keep = process.argv.includes("--keep");
const t0 = Date.now();
const log = (m) => console.log(`› ${m}`);

const chromiumPath =
  process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!chromiumPath || !existsSync(chromiumPath)) {
  const message = `browser: no Chromium at ${chromiumPath ?? "/usr/bin/chromium"} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)`;
  if (process.env.CI || process.env.FORMANCE_REQUIRE_BROWSER) {
    console.error(`✗ ${message}`);
    process.exit(1);
  }
  console.log(`- ${message}: skipped`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "formance-browser-"));
const rootRequire = createRequire(join(root, "package.json"));
let failed = false;
const closers = [];

/** esbuild: the root's if hoisted, else the one tsup depends on (pnpm keeps it under .pnpm). */
function loadEsbuild() {
  try {
    return rootRequire("esbuild");
  } catch {
    const tsup = realpathSync(join(root, "node_modules", "tsup"));
    return createRequire(join(tsup, "package.json"))("esbuild");
  }
}

function listen(server) {
  return new Promise((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => done(`http://127.0.0.1:${server.address().port}`));
  });
}

async function main() {
  for (const pkg of ["core", "ledger"]) {
    if (!existsSync(join(root, "packages", pkg, "dist", "index.js"))) {
      throw new Error(`packages/${pkg} is not built: pnpm turbo run build --concurrency=2`);
    }
  }

  // 1. Bundle. The entry sits in the work dir next to a node_modules/@formance/ledger symlink to the
  //    workspace package, so it resolves exactly as an installed package would (exports map, dist files);
  //    @formance/sdk-core and valibot then resolve from packages/ledger/node_modules.
  let started = Date.now();
  const esbuild = loadEsbuild();
  mkdirSync(join(work, "node_modules", "@formance"), { recursive: true });
  symlinkSync(join(root, "packages", "ledger"), join(work, "node_modules", "@formance", "ledger"), "dir");
  writeFileSync(join(work, "entry.mjs"), readFileSync(join(here, "fixtures", "entry.mjs")));
  const result = await esbuild.build({
    entryPoints: [join(work, "entry.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const bundle = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs);
  if (!inputs.some((i) => i.includes("packages/ledger/dist/")))
    throw new Error(`bundle did not use the ledger dist: ${inputs}`);
  if (!inputs.some((i) => i.includes("packages/core/dist/")))
    throw new Error(`bundle did not use the core dist: ${inputs}`);
  log(
    `esbuild ${esbuild.version}: bundle ${(bundle.length / 1024).toFixed(1)} kB minified (${Date.now() - started} ms)`,
  );

  // 2. Servers: the page's origin and the API's origin.
  const { startServer } = createRequire(import.meta.url)("../consumer/fixtures/mock-server.cjs");
  const api = await startServer({ cors: true });
  closers.push(() => api.close());
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>formance ledger in the browser</title>
<style>body{font:14px/1.5 monospace;margin:2em}pre{white-space:pre-wrap}</style></head>
<body><h1>@formance/ledger in Chromium</h1><pre id="out">running…</pre>
<script type="module" src="/bundle.js"></script></body></html>`;
  const pageServer = http.createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    } else if (req.url === "/bundle.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(bundle);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const pageURL = await listen(pageServer);
  closers.push(() => new Promise((done) => pageServer.close(() => done())));
  log(`page ${pageURL}, api ${api.url}`);

  // 3. Browser.
  const { chromium } = rootRequire("playwright-core");
  started = Date.now();
  const userDataDir = join(work, "profile");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  closers.unshift(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(pageURL, { waitUntil: "load" });
  await page.waitForFunction(() => typeof globalThis.runLedgerTest === "function", null, { timeout: 60_000 });
  const outcome = await page.evaluate((url) => globalThis.runLedgerTest(url), api.url);
  const version = context.browser()?.version() ?? "";
  const shot = join(tmpdir(), "formance-browser-test.png");
  await page.screenshot({ path: shot });
  log(`chromium ${version} ${chromiumPath}: page ran in ${Date.now() - started} ms; screenshot ${shot}`);

  if (!outcome.ok) {
    throw new Error(
      `in the page: ${outcome.error}${consoleLines.length ? `\nconsole:\n${consoleLines.join("\n")}` : ""}`,
    );
  }
  if (new URL(outcome.origin).port === String(api.port))
    throw new Error("page and API must be on different origins");
  for (const step of outcome.steps) console.log(`  ${step}`);
}

// A bound on a hang, not on speed: a busy machine can take minutes to start Chromium.
const watchdog = setTimeout(() => {
  console.error("✗ browser: timed out after 300 s");
  process.exit(1);
}, 300_000);
watchdog.unref();

try {
  await main();
  console.log(`✓ browser: passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(`✗ browser: ${error.message}`);
  process.exitCode = 1;
} finally {
  for (const close of closers) await close().catch(() => {});
  if (keep || failed) console.log(`(kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}
