// Receiving Formance webhooks with @formance/webhooks: a plain node:http server that verifies each delivery's
// signature on the raw body, turns it into a typed event, and dispatches on the event type.
//
//   FORMANCE_WEBHOOK_SECRET=<the config's secret> PORT=3000 npx tsx examples/webhooks-receiver.ts
//
// Subscribe a webhook config to the lower-case event types (e.g. "ledger.committed_transactions"), pointing at
// http(s)://<this host>:<PORT>/. Status codes matter to the Formance webhooks service: 2xx = delivered;
// 408, 429, 5xx = retried with backoff; any other 4xx = failed for good.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  constructEvent,
  getHeader,
  isKnownEvent,
  isTestDelivery,
  verify,
  WEBHOOK_ID_HEADER,
  type WebhookEvent,
  WebhookPayloadError,
  WebhookVerificationError,
} from "../packages/webhooks/src/lib/index"; // in an application: from "@formance/webhooks"

export interface Delivery {
  /** `formance-webhook-id`: stable across retries and replays of one delivery; de-duplicate on it. */
  id: string;
}

export interface ReceiverOptions {
  /** The webhook config's secret, exactly as Formance shows it (the base64 text, not decoded). */
  secret: string;
  /** Called once per verified event. Throw to answer 500 and have Formance retry the delivery later. */
  onEvent: (event: WebhookEvent, delivery: Delivery) => void | Promise<void>;
  /** Accepted clock distance in seconds (default 300). */
  tolerance?: number;
  /** Largest accepted body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

/** An HTTP server that receives Formance webhook deliveries on any path. Call `.listen(port)` on it. */
export function createReceiver(options: ReceiverOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return createServer(async (req, res) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return reply(405, { error: "method_not_allowed" });
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch {
      return reply(413, { error: "body_too_large" });
    }

    try {
      // The "test" button of a webhook config sends {"data":"test"}: authentic, but not an event.
      if (isTestDelivery(req.headers)) {
        await verify(raw, req.headers, options.secret, { tolerance: options.tolerance });
        return reply(200, { ok: true, test: true });
      }
      // Verify on the raw bytes as received: never on re-serialised JSON.
      const event = await constructEvent(raw, req.headers, options.secret, { tolerance: options.tolerance });
      await options.onEvent(event, { id: getHeader(req.headers, WEBHOOK_ID_HEADER) ?? "" });
      return reply(200, { ok: true });
    } catch (error) {
      if (error instanceof WebhookPayloadError && error.reason === "invalid_payload") {
        // Authentic, but the payload does not match this SDK's schema for its type: answer 5xx so Formance
        // keeps retrying while you look (error.event holds the raw envelope) instead of dropping the event.
        console.error(`webhook ${error.event?.type}: ${error.message}`);
        return reply(500, { error: error.reason });
      }
      if (error instanceof WebhookVerificationError) {
        // Not from Formance (or too old / not an event): reject for good.
        return reply(400, { error: error.reason, message: error.message });
      }
      console.error("webhook handler failed:", error);
      return reply(500, { error: "handler_failed" });
    }
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolveBody(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** What a real handler looks like: narrow to known events, then switch on the type. */
async function handle(event: WebhookEvent, delivery: Delivery): Promise<void> {
  if (!isKnownEvent(event)) {
    console.log(`[${delivery.id}] ignoring event type ${event.type}`);
    return;
  }
  switch (event.type) {
    case "ledger.committed_transactions":
      for (const tx of event.payload.transactions) {
        // Amounts in deliveries went through float64 on the server: exact only up to 2^53.
        // Fetch the transaction from the ledger API (bigint amounts) when exactness matters.
        const moves = tx.postings.map((p) => `${p.amount} ${p.asset} ${p.source} -> ${p.destination}`);
        console.log(`[${delivery.id}] ledger ${event.payload.ledger} tx #${tx.id}: ${moves.join(", ")}`);
      }
      break;
    case "payments.saved_payment":
      // number today, exact decimal string from newer payments releases: BigInt() takes both.
      console.log(
        `[${delivery.id}] payment ${event.payload.reference} ${event.payload.status}: ${BigInt(event.payload.amount)} ${event.payload.asset}`,
      );
      break;
    case "orchestration.failed_workflow":
      console.warn(`[${delivery.id}] workflow ${event.payload.id} failed: ${event.payload.error}`);
      break;
    default:
      console.log(`[${delivery.id}] ${event.type}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const secret = process.env.FORMANCE_WEBHOOK_SECRET;
  if (!secret) {
    console.error("set FORMANCE_WEBHOOK_SECRET to the webhook config's secret");
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  createReceiver({ secret, onEvent: handle }).listen(port, () => {
    console.log(`listening for Formance webhooks on http://localhost:${port}/`);
  });
}
