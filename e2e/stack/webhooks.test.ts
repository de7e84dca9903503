// Webhooks through the gateway: configs (create, list, update, activate, deactivate, change secret,
// delete), a test delivery sent by the real server to a local node:http endpoint and verified there with
// @formance/webhooks, and real deliveries: a transaction written through the SDK reaches the ledger,
// whose event travels over NATS to the webhooks worker, which delivers it (signed) to the endpoint;
// the deliveries API then shows it, its attempts, and a replay of a failed one.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Formance, webhooks } from "@formance/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, eventually, sdk, uniqueName } from "./lib/stack";

interface Received {
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A local node:http endpoint at `path` that records every delivery; `refuse(url)` makes it answer 400. */
async function startEndpoint(path: string, refuse: (url: string) => boolean = () => false) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      received.push({ url, headers: req.headers, body: Buffer.concat(chunks) });
      const refused = refuse(url);
      res.writeHead(refused ? 400 : 200).end(refused ? "refused" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeStack("webhooks", ["webhooks"], () => {
  let f: Formance;
  let endpoint: string;
  let received: Received[];
  let close: () => Promise<void>;

  beforeAll(async () => {
    f = sdk();
    ({ url: endpoint, received, close } = await startEndpoint("/hook"));
  });
  afterAll(async () => close?.());

  test("a config's life: insert, list, update, deactivate, activate, change secret, delete", async () => {
    const secret = Buffer.from("0123456789abcdef01234567").toString("base64");
    const config = await f.webhooks.v1.insertConfig({
      body: { endpoint: `${endpoint}?life`, secret, eventTypes: ["ledger.committed_transactions"] },
    });
    expect(config.id).toMatch(/\S/);
    expect(config.active).toBe(true);
    expect(config.eventTypes).toEqual(["ledger.committed_transactions"]);

    const listed = await f.webhooks.v1.getManyConfigs({ id: config.id });
    expect(listed.data.map((c) => c.id)).toEqual([config.id]);

    await f.webhooks.v1.updateConfig({
      id: config.id,
      body: { endpoint: `${endpoint}?life2`, eventTypes: ["ledger.saved_metadata"] },
    });
    const updated = (await f.webhooks.v1.getManyConfigs({ id: config.id })).data[0];
    expect(updated?.endpoint).toBe(`${endpoint}?life2`);
    expect(updated?.eventTypes).toEqual(["ledger.saved_metadata"]);

    expect((await f.webhooks.v1.deactivateConfig({ id: config.id })).active).toBe(false);
    expect((await f.webhooks.v1.activateConfig({ id: config.id })).active).toBe(true);

    const other = Buffer.from("fedcba9876543210fedcba98").toString("base64");
    const changed = await f.webhooks.v1.changeConfigSecret({ id: config.id, body: { secret: other } });
    expect(changed.secret).toBe(other);

    await f.webhooks.v1.deleteConfig({ id: config.id });
    expect((await f.webhooks.v1.getManyConfigs({ id: config.id })).data).toEqual([]);
    await expectAPIError(f.webhooks.v1.deleteConfig({ id: config.id }), { status: 404 });
  });

  test("a test delivery reaches a local endpoint, signed, and @formance/webhooks verifies it", async () => {
    const secret = Buffer.from("a-webhook-secret-24bytes").toString("base64");
    const config = await f.webhooks.v1.insertConfig({
      body: { endpoint: `${endpoint}?test`, secret, eventTypes: ["ledger.committed_transactions"] },
    });
    const before = received.length;
    const attempt = await f.webhooks.v1.testConfig({ id: config.id });
    expect(attempt.statusCode).toBe(200);
    expect(attempt.config.id).toBe(config.id);

    const delivery = received.slice(before).find((r) => r.headers["formance-webhook-test"] !== undefined);
    expect(delivery, "the test delivery reached the local endpoint").toBeDefined();
    await webhooks.verify(delivery!.body, delivery!.headers, secret);
    // A test delivery is flagged as such, and its body is not an event envelope: constructEvent says so.
    expect(webhooks.isTestDelivery(delivery!.headers)).toBe(true);
    await expect(webhooks.constructEvent(delivery!.body, delivery!.headers, secret)).rejects.toBeInstanceOf(
      webhooks.WebhookPayloadError,
    );

    // The same delivery does not verify with another secret.
    const wrong = Buffer.from("not-the-secret-24-bytes!").toString("base64");
    await expect(webhooks.verify(delivery!.body, delivery!.headers, wrong)).rejects.toBeInstanceOf(
      webhooks.WebhookSignatureError,
    );
    await f.webhooks.v1.deleteConfig({ id: config.id });
  });

  test("deliveries: list, and an unknown one answers 404", async () => {
    const deliveries = await collect(f.webhooks.v1.getDeliveries({ pageSize: 10 }));
    expect(Array.isArray(deliveries)).toBe(true);
    const unknown = "00000000-0000-0000-0000-000000000000";
    await expectAPIError(f.webhooks.v1.getDelivery({ id: unknown }), { status: 404 });
    await expectAPIError(collect(f.webhooks.v1.getDeliveryAttempts({ id: unknown })), { status: 404 });
    await expectAPIError(f.webhooks.v1.replayDelivery({ id: unknown }), { status: 404 });
    // Nothing failed in the last minute: a replay over it replays nothing.
    const replayed = await f.webhooks.v1.replayDeliveries({
      body: { createdAtFrom: new Date(Date.now() - 60_000), statuses: ["failed"] },
    });
    expect(replayed).toBeDefined();
  });
});

describeStack("webhooks: deliveries of ledger events", ["webhooks", "ledger"], () => {
  let f: Formance;
  let endpoint: string;
  let received: Received[];
  let close: () => Promise<void>;
  /** `?fail` answers 400 (a permanent failure for the worker) until the replay test lets it through. */
  let failing = true;

  beforeAll(async () => {
    f = sdk();
    ({
      url: endpoint,
      received,
      close,
    } = await startEndpoint("/events", (url) => failing && url.endsWith("?fail")));
  });
  afterAll(async () => close?.());

  test("a transaction becomes a signed delivery; the deliveries API shows it and replays a failed one", async () => {
    const secret = Buffer.from("deliveries-secret-24byte").toString("base64");
    const ok = await f.webhooks.v1.insertConfig({
      body: { endpoint: `${endpoint}?ok`, secret, eventTypes: ["ledger.committed_transactions"] },
    });
    const refusing = await f.webhooks.v1.insertConfig({
      body: { endpoint: `${endpoint}?fail`, secret, eventTypes: ["ledger.committed_transactions"] },
    });
    try {
      const ledger = uniqueName("hooks");
      await f.ledger.v2.createLedger({ ledger, body: {} });
      const tx = await f.ledger.v2.createTransaction({
        ledger,
        body: {
          postings: [{ amount: 4200n, asset: "USD/2", source: "world", destination: "users:hooks" }],
          metadata: { order: "hooks-1" },
        },
      });

      // The worker delivers it to the endpoint, signed with the config's secret.
      const ours = (r: Received) => r.url.endsWith("?ok") && r.body.includes(`"${ledger}"`);
      const arrived = await eventually("the event's delivery at the endpoint", async () =>
        received.find(ours),
      );
      const event = await webhooks.constructEvent(arrived.body, arrived.headers, secret);
      expect(event.type).toBe("ledger.committed_transactions");
      if (!webhooks.isEventType(event, "ledger.committed_transactions")) throw new Error("not narrowed");
      expect(event.payload.ledger).toBe(ledger);
      const [sent] = event.payload.transactions;
      expect(String(sent?.id)).toBe(String(tx.id));
      expect(sent?.postings[0]).toMatchObject({ asset: "USD/2", destination: "users:hooks" });
      expect(Number(sent?.postings[0]?.amount)).toBe(4200);
      expect(sent?.metadata).toEqual({ order: "hooks-1" });

      // The deliveries API: the succeeded delivery, found by its config, then by id, then its attempts.
      const deliveryId = String(arrived.headers["formance-webhook-id"]);
      const listed = await eventually("the delivery to be listed as succeeded", async () => {
        const page = await collect(f.webhooks.v1.getDeliveries({ configId: ok.id, status: "succeeded" }));
        return page.find((d) => d.id === deliveryId);
      });
      expect(listed.configID).toBe(ok.id);
      const delivery = await f.webhooks.v1.getDelivery({ id: deliveryId });
      expect(delivery).toMatchObject({
        id: deliveryId,
        configID: ok.id,
        eventType: "ledger.committed_transactions",
        status: "succeeded",
        attemptCount: 1,
      });
      const attempts = await collect(f.webhooks.v1.getDeliveryAttempts({ id: deliveryId }));
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ deliveryID: deliveryId, outcome: "succeeded", statusCode: 200 });
      // A succeeded delivery cannot be replayed.
      await expectAPIError(f.webhooks.v1.replayDelivery({ id: deliveryId }), { status: 409 });

      // The refusing endpoint answered 400: a permanent failure, no retry.
      const failed = await eventually("the refused delivery to fail", async () => {
        const page = await collect(f.webhooks.v1.getDeliveries({ configId: refusing.id, status: "failed" }));
        return page[0];
      });
      const failedAttempts = await collect(f.webhooks.v1.getDeliveryAttempts({ id: failed.id }));
      expect(failedAttempts.map((a) => [a.outcome, a.statusCode])).toEqual([["permanent_failure", 400]]);

      // Replay it once the endpoint accepts: the worker sends it again and it succeeds.
      failing = false;
      const replayed = await f.webhooks.v1.replayDelivery({ id: failed.id });
      expect(replayed.id).toBe(failed.id);
      expect(replayed.status).toBe("pending");
      expect(replayed.replayGeneration).toBe((failed.replayGeneration ?? 0) + 1);
      const done = await eventually("the replayed delivery to succeed", async () => {
        const d = await f.webhooks.v1.getDelivery({ id: failed.id });
        return d.status === "succeeded" ? d : undefined;
      });
      expect(done.replayGeneration).toBe(replayed.replayGeneration);
      const all = await collect(f.webhooks.v1.getDeliveryAttempts({ id: failed.id }));
      expect(all.map((a) => a.outcome).sort()).toEqual(["permanent_failure", "succeeded"]);
      const resent = received.filter((r) => r.url.endsWith("?fail") && r.body.includes(`"${ledger}"`));
      expect(resent.length).toBe(2);
      await webhooks.verify(resent[1]!.body, resent[1]!.headers, secret);
    } finally {
      await f.webhooks.v1.deleteConfig({ id: ok.id });
      await f.webhooks.v1.deleteConfig({ id: refusing.id });
    }
  }, 300_000);
});
