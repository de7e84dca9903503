#!/usr/bin/env node
// Contract tests: every operation of the official specs, called through @formance/sdk against
// Stoplight Prism serving the patched specs (overlay.mjs). A call fails when Prism reports a
// violation (`sl-violations` header: the request does not match the spec, or Prism's own response
// does not), when the SDK throws, or when the SDK (validate: "strict") rejects Prism's response.
// Each operation runs twice: Prism's static examples with every optional input sent, then
// `Prefer: dynamic=true` (schema-generated responses) with required inputs only. See README.md.
// Usage: node contract/run.mjs [--verbose] [--only=opId,opId] [--overlay]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  loadSpecs,
  locate,
  missingSpecs,
  parametersOf,
  placement,
  resolver,
  SERVICES,
  specDir,
} from "@formance/codegen/spec";
import { BIG, makeGenerator } from "./lib/fixtures.mjs";
import { mergeSpecs } from "./lib/merge.mjs";
import { startPrism } from "./lib/prism.mjs";
import { applyOverlay } from "./overlay.mjs";

const t0 = Date.now();
const argv = process.argv.slice(2);
const verbose = argv.includes("--verbose");
const only = argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const CONCURRENCY = 6;

// ── 1. Specs and SDK ────────────────────────────────────────────────────────────────────────────
const dir = specDir();
const missing = missingSpecs(dir);
if (missing.length) {
  console.log(
    `contract: skipped — OpenAPI specs not found in ${dir} (missing ${missing.join(", ")}). Set FORMANCE_OPENAPI_DIR to run the contract tests.`,
  );
  process.exit(0);
}
let sdkModule;
try {
  sdkModule = await import("@formance/sdk");
} catch (error) {
  console.error(
    `contract: cannot load @formance/sdk (${error.message}). Build the packages first: pnpm turbo run build`,
  );
  process.exit(1);
}
const { Formance, FormanceAPIError, stringifyJSON } = sdkModule;

const { docs, base, operations } = loadSpecs(dir); // patched in place below
const selected = only ? operations.filter((o) => only.includes(o.operationId)) : operations;

/** Response-side sample (JSON text, bigints exact) of a component schema, for overlay examples. */
const outputGen = Object.fromEntries(
  Object.entries(docs).map(([s, d]) => [s, makeGenerator(resolver(d), { output: true, maxDepth: 4 })]),
);
const sample = (service, name, hint) =>
  stringifyJSON(outputGen[service]({ $ref: `#/components/schemas/${name}` }, hint));
const applied = applyOverlay(docs, operations, { sample });
if (argv.includes("--overlay")) {
  // What the overlay changed, rule by rule (no Prism, no calls).
  const byRule = new Map();
  for (const [section, where, rule] of applied) {
    if (!byRule.has(rule)) byRule.set(rule, { section, where: [] });
    byRule.get(rule).where.push(where);
  }
  for (const [rule, { section, where }] of byRule) {
    console.log(`\n[${section}] ${rule.what ?? rule.defect}\n  → ${[...new Set(where)].join(", ")}`);
  }
  process.exit(0);
}

const workDir = mkdtempSync(join(tmpdir(), "formance-contract-"));
const document = join(workDir, "formance.json");
writeFileSync(document, JSON.stringify(mergeSpecs(docs, base)));

// Standalone functions carry `.descriptor` (where each input field goes); found through the umbrella's deps.
const descriptors = await loadDescriptors();

// ── 2. Prism ────────────────────────────────────────────────────────────────────────────────────
let prism;
try {
  prism = await startPrism(document);
} catch (error) {
  console.error(`contract: ${error.message}`);
  rmSync(workDir, { recursive: true, force: true });
  process.exit(1);
}
const cleanup = async () => {
  await prism.stop();
  rmSync(workDir, { recursive: true, force: true });
};
process.on("SIGINT", async () => {
  await cleanup();
  process.exit(130);
});

// Every call carries `x-contract-call: <id>`; the recording fetch keeps what went out and came back.
// It wraps the global fetch rather than being passed as the `fetch` option: the SDK then keeps its
// default fetch, the path applications take (the core hands it a URL and init, a custom fetch a Request).
const exchanges = new Map();
const globalFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = input instanceof Request ? input : undefined;
  const headers = request ? request.headers : new Headers(init?.headers);
  const requestBody = request
    ? request.body
      ? await request.clone().text()
      : undefined
    : init?.body != null
      ? await new Response(init.body).text()
      : undefined;
  const response = await globalFetch(input, init);
  exchanges.get(headers.get("x-contract-call"))?.push({
    method: request ? request.method : (init?.method ?? "GET"),
    url: request ? request.url : String(input),
    requestBody,
    status: response.status,
    violations: response.headers.get("sl-violations"),
    // Error bodies as sent, to check the SDK's `code` against the wire independently of the SDK.
    errorBody: response.status >= 400 ? await response.clone().text() : undefined,
  });
  return response;
};
const sdk = new Formance({
  serverURL: prism.url,
  accessToken: "test-token",
  validate: "strict",
  retry: false,
  timeout: 30_000,
});

// ── 3. Inputs ───────────────────────────────────────────────────────────────────────────────────
const fullGen = Object.fromEntries(Object.entries(docs).map(([s, d]) => [s, makeGenerator(resolver(d))]));
const minimalGen = Object.fromEntries(
  Object.entries(docs).map(([s, d]) => [s, makeGenerator(resolver(d), { minimal: true })]),
);
const FILTER = { $and: [{ $match: { "metadata[contract]": "yes" } }, { $gte: { amount: BIG } }] };
const FILTER_TEXT = `{"$and":[{"$match":{"metadata[contract]":"yes"}},{"$gte":{"amount":${BIG}}}]}`;
const NDJSON_LOGS = `${sample("ledger", "V2Log", { id: 1, type: "NEW_TRANSACTION" })}\n`;

/** `minimal`: required inputs only (required parameters, required body properties, no optional body). */
function buildInput(op, d, { minimal = false } = {}) {
  const gen = (minimal ? minimalGen : fullGen)[op.service];
  const specParams = parametersOf(docs[op.service], op);
  const input = {};
  for (const [field, location] of Object.entries(d.params ?? {})) {
    const [where, wire = field] = location.split(":");
    const p = specParams.find((q) => q.in === where && q.name.toLowerCase() === wire.toLowerCase());
    if (!p) throw new Error(`descriptor field ${field} (${location}) has no spec parameter`);
    const optional = !p.required && p.in !== "path";
    // Inputs the servers document as exclusive or generated: no cursor (it replaces every other
    // input; docs/SERVER-BEHAVIOUR.md, All services), no deprecated parameter (Prism warns), no Idempotency-Key (the SDK makes one).
    if (optional && (minimal || p.name === "cursor" || p.deprecated)) continue;
    if (p.in === "header" && p.name.toLowerCase() === "idempotency-key") continue;
    const hint = p.example ?? firstExample(p.examples);
    input[field] = gen(p.schema ?? p.content?.["application/json"]?.schema ?? { type: "string" }, hint);
  }
  const { spec, deref } = locate(docs[op.service], op);
  const body = spec.requestBody && deref(spec.requestBody);
  if (d.body === "stream") input.body = NDJSON_LOGS;
  else if (d.body === "query") {
    if (!minimal) input.body = FILTER;
  } else if (d.body === "json" && (!minimal || body.required)) {
    const media = body.content["application/json"];
    input.body = gen(media.schema, media.example ?? firstExample(media.examples));
  }
  return input;
}

function containsBig(value) {
  if (value === BIG) return true;
  if (value && typeof value === "object" && !(value instanceof Date))
    return Object.values(value).some(containsBig);
  return false;
}

function firstExample(examples) {
  const first = examples && Object.values(examples)[0];
  return first && typeof first === "object" && "value" in first ? first.value : undefined;
}

// ── 4. Calls ────────────────────────────────────────────────────────────────────────────────────
let callSeq = 0;
const stats = { bigBodies: 0, filters: 0 };
async function call(op, input, prefer) {
  const { service, version, method } = placement(op);
  const id = String(++callSeq);
  exchanges.set(id, []);
  const options = { headers: { "x-contract-call": id, ...(prefer ? { prefer } : {}) } };
  let result;
  let error;
  try {
    if (service === "gateway") result = await sdk[method](options);
    else {
      const fn = sdk[service]?.[version]?.[method];
      if (typeof fn !== "function")
        throw new Error(`SDK method sdk.${service}.${version}.${method} not found`);
      result = await fn(input, options);
      if (result && typeof result === "object" && Symbol.asyncIterator in result && !("data" in result)) {
        const items = [];
        for await (const item of result) items.push(item); // ndjson export
        result = items;
      }
    }
  } catch (e) {
    error = e;
  }
  const sent = exchanges.get(id);
  exchanges.delete(id);
  return { result, error, exchanges: sent };
}

function describeError(e) {
  return e ? `${e.name ?? "Error"}: ${e.message}` : "";
}

function violationsOf(exchanges) {
  const out = new Set();
  for (const x of exchanges ?? []) {
    if (!x.violations) continue;
    try {
      for (const v of JSON.parse(x.violations)) out.add(`(${v.severity}) ${v.message}`);
    } catch {
      out.add(x.violations.slice(0, 500));
    }
  }
  return [...out];
}

/** One check = one SDK call; returns the list of problems (empty = passed). */
async function check(op, d, input, { prefer, expect, pass } = {}) {
  const { result, error, exchanges: sent } = await call(op, input, prefer);
  const problems = violationsOf(sent).map((v) => `Prism violation ${v}`);
  if (error) problems.push(describeError(error));
  if (!sent?.length && !error) problems.push("no HTTP request was made");
  if (!error && d?.body === "query" && input?.body) {
    const q = sent?.[0] && new URL(sent[0].url).searchParams.get("query");
    if (q !== FILTER_TEXT) problems.push(`filter not sent as the exact \`query\` JSON text (got ${q})`);
    else stats.filters++;
  }
  if (!error && d?.body === "json" && containsBig(input?.body)) {
    // Big integers go out as bare JSON integer literals: never quoted, never rounded, never 1e+21.
    const text = sent?.[0]?.requestBody ?? "";
    if (!new RegExp(`[^"\\d]${BIG}[^"\\d]`).test(text))
      problems.push(`request body lacks the exact literal ${BIG}: ${text.slice(0, 300)}`);
    else stats.bigBodies++;
  }
  if (!error && expect) {
    const bad = expect(result, pass);
    if (bad) problems.push(bad);
  }
  if (verbose && sent?.length) {
    for (const x of sent)
      console.log(`  ${op.operationId} [${prefer ?? "static"}] ${x.method} ${x.url} → ${x.status}`);
  }
  return problems;
}

function expectationFor(d) {
  switch (d?.kind) {
    case "page":
      return (r) => (r && Array.isArray(r.data) ? "" : "expected a Page with data[]");
    case "count":
      // Static: the overlay's Count example is 2^53 + 1, which must come back exact.
      return (r, pass) =>
        typeof r !== "bigint"
          ? `expected a bigint count, got ${typeof r}`
          : pass === "static" && r !== BIG
            ? `Count read as ${r}, expected ${BIG}`
            : "";
    case "ndjson":
      return (r) =>
        !Array.isArray(r)
          ? "expected an async iterable of logs"
          : r.length !== 2 || r[0].id !== BIG
            ? `expected 2 logs, the first with id ${BIG}n; got ${r.length} (${r[0]?.id})`
            : "";
    case "void":
      return (r) => (r === undefined ? "" : "expected no result");
    default:
      return undefined;
  }
}

/** Extra responses the overlay guarantees (Wallets, Payments), each asked for explicitly. */
const EXTRA = {
  debitWallet: [
    { prefer: "code=204", expect: (r) => (r === undefined ? "" : "204 must resolve to undefined") },
  ],
  v3ListConnectorCapabilities: [
    { prefer: "code=304", expect: (r) => (r === undefined ? "" : "304 must resolve to undefined") },
  ],
};
/** Operations whose success body is not JSON: Prism cannot generate it from a schema. */
const STATIC_ONLY = new Set(["v2ExportLogs"]);

async function runOperation(op) {
  const { service } = placement(op);
  const root = service === "gateway";
  const d = root ? { kind: "json" } : descriptors.get(`${op.service}:${op.operationId}`);
  const failures = [];
  if (!d)
    return {
      op,
      failures: [{ pass: "setup", problems: ["no descriptor found for this operation in the SDK packages"] }],
    };
  let full;
  let minimal;
  try {
    full = root ? undefined : buildInput(op, d);
    minimal = root ? undefined : buildInput(op, d, { minimal: true });
  } catch (error) {
    return { op, failures: [{ pass: "setup", problems: [`input generation failed: ${error.message}`] }] };
  }
  // static: Prism's examples, every optional input sent; dynamic: schema-generated responses, required inputs only.
  const passes = [{ pass: "static", input: full }];
  if (!STATIC_ONLY.has(op.operationId))
    passes.push({ pass: "dynamic", prefer: "dynamic=true", input: minimal });
  for (const extra of EXTRA[op.operationId] ?? []) passes.push({ pass: extra.prefer, input: full, ...extra });
  for (const p of passes) {
    const problems = await check(op, d, p.input, {
      prefer: p.prefer,
      expect: p.expect ?? expectationFor(d),
      pass: p.pass,
    });
    if (problems.length) failures.push({ pass: p.pass, problems });
  }
  return { op, failures };
}

// ── 5. Errors: per service, an operation answered with a declared error response ─────────────────
const ERROR_CHECKS = [
  ["ledger", "v2GetLedger", 404],
  ["ledger", "getTransaction", 400],
  ["ledger", "v2CountTransactions", 404],
  ["ledger", "v2ExportLogs", 500],
  ["payments", "v3GetPayment", 404],
  ["payments", "getPayment", 400],
  ["wallets", "getWallet", 404],
  ["wallets", "debitWallet", 400],
  ["webhooks", "getDelivery", 404],
  ["auth", "readClient", 500],
  ["search", "search", 500],
  ["orchestration", "getWorkflow", 404],
  ["orchestration", "v2GetWorkflow", 404],
  ["reconciliation", "getPolicy", 404],
];

async function runErrorCheck([service, operationId, status]) {
  const op = operations.find((o) => o.service === service && o.operationId === operationId);
  const d = descriptors.get(`${service}:${operationId}`);
  const label = `${operationId} → ${status}`;
  const { spec } = locate(docs[op.service], op);
  if (
    !spec.responses[String(status)] &&
    !spec.responses[`${String(status)[0]}XX`] &&
    !spec.responses.default
  ) {
    return { service, label, problems: [`the spec declares no ${status} or default response`] };
  }
  const { error, exchanges: sent } = await call(op, buildInput(op, d), `code=${status}`);
  const problems = violationsOf(sent).map((v) => `Prism violation ${v}`);
  const raw = sent?.at(-1)?.errorBody;
  let expected;
  try {
    expected = raw ? JSON.parse(raw).errorCode : undefined;
  } catch {}
  if (!(error instanceof FormanceAPIError))
    problems.push(`expected FormanceAPIError, got ${error ? describeError(error) : "a success"}`);
  else {
    if (error.status !== status) problems.push(`status ${error.status}, expected ${status}`);
    if (error.code !== expected)
      problems.push(`code ${error.code}, expected ${expected} (the errorCode on the wire)`);
  }
  return { service, label, problems, code: expected };
}

// ── 6. Run and report ───────────────────────────────────────────────────────────────────────────
async function pool(items, worker) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await worker(items[i]);
      }
    }),
  );
  return results;
}

const tCalls = Date.now();
const results = await pool(selected, runOperation);
const errorResults = only ? [] : await pool(ERROR_CHECKS, runErrorCheck);
const callsMs = Date.now() - tCalls;
await cleanup();

const failed = results.filter((r) => r.failures.length);
const byService = new Map();
for (const r of failed) {
  if (!byService.has(r.op.service)) byService.set(r.op.service, []);
  byService.get(r.op.service).push(r);
}
for (const [service, list] of byService) {
  console.log(`\n✗ ${service} (${list.length} failing)`);
  for (const r of list) {
    const { version, method } = placement(r.op);
    console.log(
      `  ${r.op.operationId} (${r.op.method} ${r.op.path} → sdk.${[r.op.service === "gateway" ? "" : r.op.service, version, method].filter(Boolean).join(".")})`,
    );
    for (const f of r.failures) {
      const shown = verbose ? f.problems : f.problems.slice(0, 6);
      for (const p of shown)
        console.log(`    [${f.pass}] ${p.length > 400 && !verbose ? `${p.slice(0, 400)}…` : p}`);
      if (shown.length < f.problems.length)
        console.log(`    [${f.pass}] … ${f.problems.length - shown.length} more (--verbose)`);
    }
  }
}
const errorFailures = errorResults.filter((r) => r.problems.length);
if (errorFailures.length) {
  console.log("\n✗ error responses");
  for (const r of errorFailures) for (const p of r.problems) console.log(`  ${r.service} ${r.label}: ${p}`);
}
const servicesChecked = new Set(errorResults.filter((r) => !r.problems.length).map((r) => r.service));
const passed = results.length - failed.length;
console.log("");
if (errorResults.length) {
  console.log(
    `contract: errors: ${errorResults.length - errorFailures.length}/${errorResults.length} error responses raised FormanceAPIError with the declared status and code (${servicesChecked.size} services)`,
  );
}
console.log(
  `contract: wire checks: ${stats.bigBodies} JSON bodies carried ${BIG} as a bare literal, ${stats.filters} filters went out as the exact \`query\` JSON text`,
);
console.log(
  `contract: Prism started in ${(prism.startupMs / 1000).toFixed(1)} s; calls took ${(callsMs / 1000).toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(`contract: ${passed}/${selected.length} operations passed`);
process.exit(failed.length || errorFailures.length ? 1 : 0);

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────
async function loadDescriptors() {
  const require = createRequire(import.meta.url);
  const umbrella = createRequire(require.resolve("@formance/sdk/package.json"));
  const map = new Map();
  for (const [service, { package: name, versions }] of Object.entries(SERVICES)) {
    if (service === "gateway") continue;
    const pkgPath = umbrella.resolve(`${name}/package.json`);
    const pkg = umbrella(pkgPath);
    for (const version of versions) {
      const entry = pkg.exports[`./${version}`].import.default;
      const mod = await import(pathToFileURL(join(dirname(pkgPath), entry)).href);
      for (const fn of Object.values(mod))
        if (fn?.descriptor) map.set(`${service}:${fn.descriptor.id}`, fn.descriptor);
    }
  }
  return map;
}
