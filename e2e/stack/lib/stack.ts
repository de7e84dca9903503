// Shared by every stack test file: the stack under test (chosen once by global-setup.ts), SDK clients
// that reach it through the gateway with OAuth2 client credentials from the real auth, and a recorder
// of the responses that came back through the gateway (global-setup.ts counts them per operation).
import { type ClientOptions, Formance } from "@formance/sdk";
import { describe, inject } from "vitest";
import { recordResponses } from "../../lib/coverage";
import type { ProvidedStack, StackClient } from "./provided";

export const STACK: ProvidedStack = inject("formanceStack");
const GATEWAY_ORIGIN = STACK.gateway ? new URL(STACK.gateway).origin : "";

/** A `describe` that runs when `services` all run in the stack, else is skipped saying why. */
export function describeStack(name: string, services: string[], body: () => void): void {
  const absent = services.filter((s) => !STACK.services.includes(s));
  if (STACK.gateway && absent.length === 0) describe(name, body);
  else {
    const why = STACK.gateway ? `${absent.join(", ")} not in the stack` : `no stack: ${STACK.skipReason}`;
    describe.skip(`${name} (skipped: ${why})`, body);
  }
}

// Every response the gateway sends back through this worker's global fetch is recorded (the token
// endpoint too); clients keep the default fetch, the path applications take.
recordResponses(GATEWAY_ORIGIN, STACK.coverageFile);

export function stackClient(name = "e2e"): StackClient {
  const client = STACK.clients[name];
  if (!client) throw new Error(`the stack has no static client ${JSON.stringify(name)}`);
  return client;
}

/** The umbrella SDK on the gateway, authenticated as the static client `name` (default: every scope). */
export function sdk(options: ClientOptions = {}, name = "e2e"): Formance {
  const { id, secret } = stackClient(name);
  return new Formance({
    serverURL: STACK.gateway,
    clientId: id,
    clientSecret: secret,
    timeout: 120_000,
    // Strict: every field or enum value a server sends beyond its (corrected) spec fails the test, so
    // the corrections of docs/SERVER-BEHAVIOUR.md stay pinned. FORMANCE_E2E_VALIDATE=lenient relaxes it.
    validate: (process.env.FORMANCE_E2E_VALIDATE as ClientOptions["validate"]) || "strict",
    ...options,
  });
}

const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

/** A name unique across runs against a long-lived stack. */
export function uniqueName(tag: string): string {
  return `e2e-${tag}-${RUN}-${++counter}`.slice(0, 63);
}

export const RUN_ID = RUN;

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
