// Starts one `prism mock` on loopback for the merged, patched document and stops it again.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function prismCli() {
  const pkg = require.resolve("@stoplight/prism-cli/package.json");
  const { bin } = require(pkg);
  return join(dirname(pkg), typeof bin === "string" ? bin : bin.prism);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once Prism answers HTTP; rejects if it exits first or does not start in `timeoutMs`. */
export async function startPrism(document, { seed = "formance-contract", timeoutMs = 120_000 } = {}) {
  const port = await freePort();
  const args = [
    prismCli(),
    "mock",
    document,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--seed",
    seed, // dynamic examples are reproducible run to run
    "--json-schema-faker-fillProperties=false", // no invented properties beyond the schema (strict mode would reject them)
    "--verboseLevel",
    "error",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // Never leave Prism behind, even when the runner crashes.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  exited.then(() => process.off("exit", killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let done = false;
  const ready = (async () => {
    while (!done && Date.now() - started < timeoutMs) {
      try {
        await fetch(`${url}/__contract_ping`, { signal: AbortSignal.timeout(2_000) });
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return false;
  })();
  const first = await Promise.race([ready, exited.then(() => "exited")]);
  done = true;
  if (first !== true) {
    child.kill("SIGTERM");
    throw new Error(`Prism did not start (${first === "exited" ? "exited" : "timed out"}):\n${output}`);
  }
  return {
    url,
    startupMs: Date.now() - started,
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
