// Webhooks through the gateway: configs (create, list, update, activate, deactivate, change secret,
// delete), a test delivery sent by the real server to a local node:http endpoint and verified there with
// @formance/webhooks, and the deliveries API.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Formance, webhooks } from "@formance/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, sdk } from "./lib/stack";

interface Received {
  headers: IncomingMessage["headers"];
  body: Buffer;
}

describeStack("webhooks", ["webhooks"], () => {
  let f: Formance;
  let server: Server;
  let endpoint: string;
  const received: Received[] = [];

  beforeAll(async () => {
    f = sdk();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

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
