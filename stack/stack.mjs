// The whole Formance stack on one machine, for the SDK's end-to-end tests: Temporal, the services
// (each on its own throw-away PostgreSQL database), Formance auth with static clients, and the gateway
// in front of them routing /api/<service>. No Docker. See README.md ("The whole stack").
//
// Plain ESM, node: builtins only.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { binaryRefusal, obtainBinary, run, SERVICES, tail } from "./binaries.mjs";
import {
  createDatabase,
  dropDatabase,
  freePort,
  killPid,
  prerequisites as ledgerPrerequisites,
  obtainLedgerBinary,
  pidAlive,
  postgresUri,
} from "./ledger.mjs";
import { deleteStream, NATS_URL, natsPrerequisite } from "./nats.mjs";

const ENV = process.env;
const noop = () => {};

/** The services `up` can be asked for (search needs OpenSearch and stays contract-only). */
export const STACK_SERVICES = [
  "ledger",
  "auth",
  "wallets",
  "webhooks",
  "payments",
  "orchestration",
  "reconciliation",
];

/**
 * What each service needs running before it starts. The gateway and auth always run: every service is
 * reached through the gateway, and every service checks tokens issued by auth.
 */
const NEEDS = {
  ledger: [],
  auth: [],
  wallets: ["ledger"],
  webhooks: [],
  payments: ["temporal"],
  orchestration: ["temporal", "ledger"],
  reconciliation: ["ledger", "payments"],
};

/**
 * Start order: Temporal, auth and the gateway (every service that checks tokens fetches auth's keys
 * through the gateway when it starts), then the ledger, then the services that call others.
 */
const ORDER = [
  "temporal",
  "auth",
  "gateway",
  "ledger",
  "webhooks",
  "wallets",
  "payments",
  "orchestration",
  "reconciliation",
];

/**
 * PostgreSQL pool per process. PostgreSQL's usual max_connections is 100, shared with anything else on
 * the server; the stack's pools add up to 50 (payments runs two processes).
 */
const POOLS = {
  ledger: 15,
  auth: 5,
  webhooks: 5,
  payments: 5,
  orchestration: 5,
  reconciliation: 5,
  wallets: 0,
};

/** The scopes of the static client the tests use: every service, read and write. */
const ALL_SCOPES = ["openid", ...STACK_SERVICES.flatMap((s) => [`${s}:read`, `${s}:write`])];

export function resolveServices(asked) {
  const want = new Set(["auth"]);
  const add = (name) => {
    if (!NEEDS[name] && name !== "temporal") {
      throw new Error(
        `unknown service ${JSON.stringify(name)} (known: ${STACK_SERVICES.join(", ")}, or "all")`,
      );
    }
    want.add(name);
    for (const dep of NEEDS[name] ?? []) add(dep);
  };
  for (const name of asked.includes("all") ? STACK_SERVICES : asked) add(name);
  want.add("gateway");
  return ORDER.filter((name) => want.has(name));
}

/** null when the stack can run here, else why not. */
export async function prerequisites(services) {
  const pg = await ledgerPrerequisites();
  if (pg) return pg;
  for (const name of services) {
    if (name === "ledger") continue;
    const refused = await binaryRefusal(name);
    if (refused) return refused;
  }
  if (services.includes("webhooks") && services.includes("ledger")) return natsPrerequisite();
  return null;
}

// ---------------------------------------------------------------- processes

const HELP = new Map();
async function helpOf(bin, command) {
  const key = `${bin} ${command}`;
  if (!HELP.has(key)) {
    const r = await run(bin, [...command.split(" "), "--help"], { timeoutMs: 30_000 });
    HELP.set(key, r.stdout + r.stderr);
  }
  return HELP.get(key);
}

/** The flags among `flags` ([name, ...values]) that `bin command --help` lists. */
async function supported(bin, command, flags) {
  const help = await helpOf(bin, command);
  const out = [];
  for (const [name, ...values] of flags) {
    if (new RegExp(`--${name}(?![\\w-])`).test(help))
      out.push(values.length ? `--${name}=${values.join(",")}` : `--${name}`);
  }
  return out;
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Is the process `p` (an entry of the state file) healthy? */
export async function isHealthy(p) {
  if (!pidAlive(p.pid)) return false;
  return p.health.startsWith("tcp:") ? tcpOpen(Number(p.health.slice(4))) : httpOk(p.health);
}

async function lastLines(file, n = 30) {
  return tail(await readFile(file, "utf8").catch(() => ""), n);
}

/**
 * Spawns `bin args` detached (it outlives this process; `stopStack` stops it), its output in `logFile`,
 * and waits for its health check. A process that dies first is reported with the last lines of its log.
 */
async function spawnHealthy(entry, bin, args, { log, timeoutMs, env }) {
  const fd = openSync(entry.log, "w");
  let child;
  try {
    child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd], env: { ...ENV, ...env } });
  } finally {
    closeSync(fd);
  }
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
  });
  child.on("error", (error) => {
    exited = { error };
  });
  entry.pid = child.pid;
  child.unref();
  log(`stack: ${entry.name}: ${bin} ${args.join(" ").replace(/(secret=)\S+/g, "$1***")}`);
  const started = Date.now();
  while (!(await isHealthy(entry))) {
    await new Promise((r) => setTimeout(r, 250));
    if (exited || !pidAlive(child.pid)) {
      throw new Error(
        `${entry.name} exited before becoming healthy (${exited?.error ?? `code ${exited?.code}, signal ${exited?.signal}`}); last lines of ${entry.log}:\n${await lastLines(entry.log)}`,
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${entry.name} not healthy at ${entry.health} after ${timeoutMs} ms; last lines of ${entry.log}:\n${await lastLines(entry.log)}`,
      );
    }
  }
  log(`stack: ${entry.name} healthy (pid ${child.pid}) in ${Date.now() - started} ms`);
}

// ---------------------------------------------------------------- configuration files

function authConfig(clients) {
  // YAML is a superset of JSON: auth reads this file with its YAML loader.
  return `${JSON.stringify({ clients }, null, 2)}\n`;
}

function caddyfile(port, routes) {
  const handles = routes
    .map(
      (r) => `\thandle_path /api/${r.name}* {\n\t\treverse_proxy 127.0.0.1:${r.port}\n\t\timport cors\n\t}`,
    )
    .join("\n");
  const endpoints = routes
    .map((r) => `\t\t\t\t${r.name} {\n\t\t\t\t\t${r.info} ${r.healthURL}\n\t\t\t\t}`)
    .join("\n");
  return `{
\torder versions after metrics
\tadmin off
\tauto_https off
}

(cors) {
\theader {
\t\tAccess-Control-Allow-Methods "GET,OPTIONS,PUT,POST,DELETE,HEAD,PATCH"
\t\tAccess-Control-Allow-Headers content-type,authorization
\t\tAccess-Control-Allow-Origin *
\t}
}

http://127.0.0.1:${port} {
${handles}
\thandle /versions {
\t\tversions {
\t\t\tregion local
\t\t\tenv local
\t\t\tendpoints {
${endpoints}
\t\t\t}
\t\t}
\t}
\t# Caddy answers a request no route matches with an empty 200: make it a plain 404.
\thandle {
\t\trespond "no service at {path}" 404
\t}
}
`;
}

// ---------------------------------------------------------------- up / down

/**
 * Starts `services` (and what they need) and returns the state, also written to `<stateDir>/stack.json`.
 * On any failure everything started so far is stopped and its databases dropped.
 */
export async function startStack({ services: asked, stateDir, log = noop, timeoutMs = 180_000 }) {
  const names = resolveServices(asked);
  const reason = await prerequisites(names);
  if (reason) throw new Error(`cannot start the stack: ${reason}`);
  await mkdir(stateDir, { recursive: true });

  const binaries = {};
  for (const name of names) {
    binaries[name] =
      name === "ledger" ? await obtainLedgerBinary({ log }) : await obtainBinary(name, { log });
  }

  const tag = randomBytes(3).toString("hex");
  const state = {
    startedAt: new Date().toISOString(),
    services: names,
    gateway: "",
    clients: {},
    processes: [],
    databases: [],
    /** JetStream streams the services created for this stack's events; `down` deletes them. */
    streams: [],
  };
  const save = () => writeFile(join(stateDir, "stack.json"), `${JSON.stringify(state, null, 2)}\n`);

  const ports = {};
  for (const name of [...names, "payments-worker", "temporal-http", "temporal-ui"])
    ports[name] = await freePort();
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  state.gateway = gateway;
  const issuer = `${gateway}/api/auth`;

  const secret = () => randomBytes(18).toString("base64url");
  const clients = {
    // The tests: every scope.
    e2e: { id: "sdk-e2e", secret: secret(), scopes: ALL_SCOPES },
    // The tests' client with too few scopes (read-only ledger and wallets).
    readonly: { id: "sdk-e2e-readonly", secret: secret(), scopes: ["openid", "ledger:read", "wallets:read"] },
    // The services that call others (wallets, orchestration, reconciliation).
    stack: { id: "sdk-stack", secret: secret(), scopes: ALL_SCOPES },
  };
  state.clients = clients;

  const database = async (name) => {
    const db = `sdk_stack_${name}_${tag}`;
    await createDatabase(db);
    state.databases.push(db);
    await save();
    return postgresUri(db);
  };
  const entry = (name, health) => {
    const e = {
      name,
      pid: 0,
      port: ports[name],
      url: `http://127.0.0.1:${ports[name]}`,
      health,
      log: join(stateDir, `stack-${name}.log`),
    };
    state.processes.push(e);
    return e;
  };
  const authFlags = (bin, command, service) =>
    supported(bin, command, [
      ["auth-enabled"],
      ["auth-issuer", issuer],
      ["auth-check-scopes"],
      ["auth-service", service],
      ["auth-read-key-set-max-retries", "10"],
    ]);
  const pool = (bin, command, name) =>
    supported(bin, command, [
      ["postgres-max-open-conns", String(POOLS[name])],
      // Keep the pool's connections open (the default, 0, reconnects for every query).
      ["postgres-max-idle-conns", String(POOLS[name])],
    ]);
  const stackFlags = (bin, command) =>
    supported(bin, command, [
      ["stack-url", gateway],
      ["stack-client-id", clients.stack.id],
      ["stack-client-secret", clients.stack.secret],
      ["stack", "local"],
      ["stack-public-url", gateway],
    ]);
  const opts = { log, timeoutMs };
  // The ledger's events go to webhooks through NATS, on a subject of this stack's own (a stream name:
  // no dots). Without webhooks the ledger keeps them in process, as it does by default.
  const events = names.includes("webhooks") && names.includes("ledger") ? `sdk-stack-${tag}` : undefined;
  const publisher = (bin, command) =>
    supported(bin, command, [
      ["publisher-nats-enabled"],
      ["publisher-nats-url", NATS_URL],
      ["publisher-nats-client-id", `sdk-stack-${tag}`],
    ]);
  // Orchestration and reconciliation (older go-libs) verify tokens against keys fetched from
  // http://auth:$AUTH_SERVICE_PORT/keys and the issuer $STACK_PUBLIC_URL/api/auth, whatever --auth-issuer
  // says. No host is called "auth" here: HTTP_PROXY sends that request to auth itself (Go's proxy rule
  // leaves loopback addresses alone, so nothing else changes; gRPC to Temporal reads only HTTPS_PROXY).
  const legacyAuthEnv = () => ({
    STACK_PUBLIC_URL: gateway,
    AUTH_SERVICE_PORT: String(ports.auth),
    HTTP_PROXY: `http://127.0.0.1:${ports.auth}`,
    http_proxy: `http://127.0.0.1:${ports.auth}`,
  });

  try {
    for (const name of names) {
      const bin = binaries[name].path;
      if (name === "temporal") {
        const e = entry(name, `tcp:${ports.temporal}`);
        e.url = `127.0.0.1:${ports.temporal}`;
        await spawnHealthy(
          e,
          bin,
          [
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            String(ports.temporal),
            "--http-port",
            String(ports["temporal-http"]),
            "--ui-port",
            String(ports["temporal-ui"]),
            "--headless",
            "--metrics-port",
            "0",
            "--log-level",
            "warn",
          ],
          opts,
        );
      } else if (name === "ledger") {
        const e = entry(name, `http://127.0.0.1:${ports.ledger}/_/healthcheck`);
        const args = [
          "serve",
          "--bind",
          `127.0.0.1:${ports.ledger}`,
          "--postgres-uri",
          await database(name),
          "--auto-upgrade",
          "--experimental-features",
          "--worker",
          ...(await supported(bin, "serve", [
            ["experimental-exporters"],
            // Not its `postgres-max-idle-conns`: see docs/SERVER-BEHAVIOUR.md, "Idle database connections".
            ["postgres-max-open-conns", String(POOLS.ledger)],
          ])),
          ...(await authFlags(bin, "serve", "ledger")),
        ];
        if (events) {
          // Every event type to the stack's subject (`TYPE:subject` pairs; `*` matches any type).
          args.push(...(await publisher(bin, "serve")), `--publisher-topic-mapping=*:${events}`);
          state.streams.push(events);
        }
        await spawnHealthy(e, bin, args, opts);
      } else if (name === "auth") {
        const config = join(stateDir, "auth.yaml");
        await writeFile(
          config,
          authConfig(
            Object.values(clients).map((c) => ({
              id: c.id,
              name: c.id,
              secrets: [c.secret],
              scopes: c.scopes,
            })),
          ),
          { mode: 0o600 },
        );
        const e = entry(name, `http://127.0.0.1:${ports.auth}/_healthcheck`);
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports.auth}`,
            "--base-url",
            issuer,
            "--config",
            config,
            "--postgres-uri",
            await database(name),
            ...(await pool(bin, "serve", name)),
          ],
          opts,
        );
      } else if (name === "gateway") {
        // Every service behind the gateway; their ports are known before they start.
        const routes = names
          .filter((n) => n !== "temporal" && n !== "gateway")
          .map((n) => ({
            name: n,
            port: ports[n],
            info: `${gateway}/api/${n}/${n === "ledger" ? "_/info" : "_info"}`,
            healthURL: `http://127.0.0.1:${ports[n]}/${n === "ledger" ? "_/healthcheck" : "_healthcheck"}`,
          }));
        const file = join(stateDir, "Caddyfile");
        await writeFile(file, caddyfile(ports.gateway, routes));
        const e = entry(name, `tcp:${ports.gateway}`);
        e.url = gateway;
        await spawnHealthy(e, bin, ["run", "--config", file, "--adapter", "caddyfile"], opts);
      } else if (name === "webhooks") {
        const e = entry(name, `http://127.0.0.1:${ports[name]}/_healthcheck`);
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports[name]}`,
            "--postgres-uri",
            await database(name),
            "--auto-migrate",
            ...(await supported(bin, "serve", [["worker"]])),
            ...(await pool(bin, "serve", name)),
            ...(await authFlags(bin, "serve", name)),
            // Consume the ledger's events (the flag is named for Kafka, whatever the broker), and
            // deliver and retry within seconds rather than the default minutes.
            ...(events
              ? [
                  ...(await publisher(bin, "serve")),
                  `--kafka-topics=${events}`,
                  ...(await supported(bin, "serve", [
                    ["retry-period", "1s"],
                    ["min-backoff-delay", "1s"],
                    ["max-backoff-delay", "5s"],
                  ])),
                ]
              : []),
          ],
          opts,
        );
      } else if (name === "wallets") {
        const e = entry(name, `http://127.0.0.1:${ports[name]}/_healthcheck`);
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports[name]}`,
            "--ledger",
            `wallets-${tag}`,
            ...(await stackFlags(bin, "serve")),
            ...(await authFlags(bin, "serve", name)),
          ],
          opts,
        );
      } else if (name === "payments") {
        const uri = await database(name);
        const key = randomBytes(16).toString("hex");
        const common = [
          "--postgres-uri",
          uri,
          "--config-encryption-key",
          key,
          "--temporal-address",
          `127.0.0.1:${ports.temporal}`,
        ];
        const e = entry(name, `http://127.0.0.1:${ports[name]}/_healthcheck`);
        const profiler = [await freePort(), await freePort()];
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports[name]}`,
            ...(await supported(bin, "serve", [["profiler-listen", `127.0.0.1:${profiler[0]}`]])),
            ...common,
            ...(await stackFlags(bin, "serve")),
            "--auto-migrate",
            ...(await supported(bin, "serve", [["temporal-init-search-attributes"]])),
            ...(await pool(bin, "serve", name)),
            ...(await authFlags(bin, "serve", name)),
          ],
          opts,
        );
        const w = entry("payments-worker", `tcp:${ports["payments-worker"]}`);
        await spawnHealthy(
          w,
          bin,
          [
            "run-worker",
            "--listen",
            `127.0.0.1:${ports["payments-worker"]}`,
            ...(await supported(bin, "run-worker", [["profiler-listen", `127.0.0.1:${profiler[1]}`]])),
            ...common,
            ...(await stackFlags(bin, "run-worker")),
            ...(await pool(bin, "run-worker", name)),
          ],
          opts,
        );
      } else if (name === "orchestration") {
        const e = entry(name, `http://127.0.0.1:${ports[name]}/_healthcheck`);
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports[name]}`,
            "--postgres-uri",
            await database(name),
            "--temporal-address",
            `127.0.0.1:${ports.temporal}`,
            "--temporal-task-queue",
            `flows-${tag}`,
            ...(await supported(bin, "serve", [["temporal-init-search-attributes"], ["worker"]])),
            ...(await stackFlags(bin, "serve")),
            ...(await pool(bin, "serve", name)),
            ...(await authFlags(bin, "serve", name)),
          ],
          { ...opts, env: legacyAuthEnv() },
        );
      } else if (name === "reconciliation") {
        const e = entry(name, `http://127.0.0.1:${ports[name]}/_healthcheck`);
        await spawnHealthy(
          e,
          bin,
          [
            "serve",
            "--listen",
            `127.0.0.1:${ports[name]}`,
            "--postgres-uri",
            await database(name),
            "--auto-migrate",
            ...(await stackFlags(bin, "serve")),
            ...(await pool(bin, "serve", name)),
            ...(await authFlags(bin, "serve", name)),
          ],
          { ...opts, env: legacyAuthEnv() },
        );
      }
      await save();
    }
  } catch (error) {
    await stopStack(state, { log });
    await rm(join(stateDir, "stack.json"), { force: true });
    throw error;
  }
  await save();
  return state;
}

/**
 * Stops every process of `state` (last started first), drops every database it created and deletes
 * its JetStream streams.
 */
export async function stopStack(state, { log = noop } = {}) {
  const problems = [];
  for (const p of [...state.processes].reverse()) {
    if (!p.pid) continue;
    // Detached processes lead their own process group: stop the group (Temporal forks no children, but be safe).
    try {
      process.kill(-p.pid, "SIGTERM");
    } catch {
      // not a group leader, or gone
    }
    await killPid(p.pid);
    log(`stack: stopped ${p.name} (pid ${p.pid})`);
  }
  for (const db of state.databases) {
    try {
      await dropDatabase(db);
      log(`stack: dropped database ${db}`);
    } catch (error) {
      problems.push(`${db}: ${error.message}`);
    }
  }
  for (const stream of state.streams ?? []) {
    try {
      if (await deleteStream(stream)) log(`stack: deleted NATS stream ${stream}`);
    } catch (error) {
      problems.push(`NATS stream ${stream}: ${error.message}`);
    }
  }
  if (problems.length) throw new Error(`could not clean up everything: ${problems.join("; ")}`);
}

/** One line per process: up, unhealthy or dead (with the last lines of its log when dead). */
export async function stackStatus(state) {
  const lines = [];
  let ok = true;
  for (const p of state.processes) {
    const alive = pidAlive(p.pid);
    const healthy = alive && (await isHealthy(p));
    ok &&= healthy;
    lines.push(`${healthy ? "up" : alive ? "unhealthy" : "dead"} ${p.name} ${p.url} (pid ${p.pid})`);
    if (!alive)
      lines.push(`  last lines of ${p.log}:\n${(await lastLines(p.log, 10)).replace(/^/gm, "    ")}`);
  }
  return { ok, lines };
}

export { SERVICES };
