// The message broker between the stack's services: the ledger publishes its events to NATS
// JetStream, the webhooks worker consumes them and turns them into deliveries. NATS itself is not
// started here: the machine runs it (FORMANCE_NATS_URL, default nats://127.0.0.1:4222).
//
// Each stack gets its own subject (and JetStream stream, which the services create under the same
// name), removed again by `down`, so that stacks never see each other's events and nothing piles up
// in the broker. The few protocol lines needed for that are spoken here over a plain TCP socket.
//
// Plain ESM, node: builtins only.

import { createConnection } from "node:net";

export const NATS_URL = process.env.FORMANCE_NATS_URL ?? "nats://127.0.0.1:4222";

function address(url = NATS_URL) {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port || 4222) };
}

/**
 * Sends protocol lines after the server's greeting and resolves with everything the server said,
 * once `done(text)` holds or the time runs out.
 */
function converse(lines, done, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = createConnection(address());
    let text = "";
    let greeted = false;
    const finish = (error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(text);
    };
    const timer = setTimeout(
      () => finish(new Error(`NATS at ${NATS_URL} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("error", (error) => finish(new Error(`NATS at ${NATS_URL}: ${error.message}`)));
    socket.on("data", (chunk) => {
      text += chunk;
      if (!greeted && text.includes("\r\n")) {
        greeted = true;
        if (!text.startsWith("INFO ")) return finish(new Error(`not a NATS server at ${NATS_URL}`));
        socket.write(`CONNECT {"verbose":false,"pedantic":false,"name":"formance-sdk-stack"}\r\n`);
        socket.write(`${lines.join("\r\n")}\r\n`);
      }
      if (greeted && done(text)) finish();
    });
  });
}

/** null when NATS answers with JetStream enabled, else why not. */
export async function natsPrerequisite() {
  try {
    const info = await converse(["PING"], (text) => text.includes("PONG"));
    const greeting = JSON.parse(info.slice(5, info.indexOf("\r\n")));
    if (!greeting.jetstream) {
      return `NATS at ${NATS_URL} runs without JetStream (start it with -js); webhooks needs it to receive the ledger's events`;
    }
    return null;
  } catch (error) {
    return `${error.message}; the ledger's events reach webhooks through NATS with JetStream (set FORMANCE_NATS_URL)`;
  }
}

/** Deletes a JetStream stream; resolves with true when the server confirmed, false when it had none. */
export async function deleteStream(name) {
  const inbox = `_INBOX.formance-sdk-stack.${process.pid}`;
  const text = await converse([`SUB ${inbox} 1`, `PUB $JS.API.STREAM.DELETE.${name} ${inbox} 0`, ""], (t) =>
    /MSG \S+ 1 \d+\r\n.*\r\n/.test(t),
  );
  const reply = JSON.parse(/MSG \S+ 1 \d+\r\n(.*)\r\n/.exec(text)[1]);
  if (reply.success) return true;
  if (reply.error?.code === 404) return false;
  throw new Error(`NATS refused to delete stream ${name}: ${JSON.stringify(reply.error)}`);
}
