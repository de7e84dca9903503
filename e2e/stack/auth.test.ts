// Auth for real: the SDK's client-credentials flow against the real issuer (through the gateway), the
// typed errors of a wrong secret and of a missing scope, and the auth management API (clients,
// secrets, users) with a token that auth itself issued.

import { Formance } from "@formance/sdk";
import { FormanceAuthError, FormanceForbiddenError, FormanceUnauthorizedError } from "@formance/sdk-core";
import { expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { describeStack, STACK, sdk, stackClient, uniqueName } from "./lib/stack";

describeStack("auth", ["auth"], () => {
  test("discovery and server info", async () => {
    const f = sdk();
    const info = await f.auth.v1.getServerInfo({});
    expect(info.version).toMatch(/\S/);
    // The spec declares no body; the server answers the OpenID configuration (its issuer is the gateway's /api/auth).
    await f.auth.v1.getOIDCWellKnowns({});
    const raw = await fetch(`${STACK.gateway}/api/auth/.well-known/openid-configuration`);
    expect(((await raw.json()) as { issuer: string }).issuer).toBe(`${STACK.gateway}/api/auth`);
  });

  test("one token serves many calls (cached), and a token per scope set", async () => {
    const tokenRequests: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith("/oauth/token")) tokenRequests.push(url);
      return fetch(input, init);
    };
    const f = sdk({ fetch: counting });
    await f.auth.v1.listClients({});
    await f.auth.v1.listClients({});
    await f.auth.v1.getServerInfo({});
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toBe(`${STACK.gateway}/api/auth/oauth/token`);
  });

  test("a wrong client secret: FormanceAuthError from the token endpoint, the secret not in the message", async () => {
    const { id } = stackClient();
    const wrongSecret = "definitely-not-the-secret";
    const f = new Formance({
      serverURL: STACK.gateway,
      clientId: id,
      clientSecret: wrongSecret,
      retry: false,
    });
    const error = await f.auth.v1.listClients({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FormanceAuthError);
    const auth = error as FormanceAuthError;
    expect(auth.status).toBe(401);
    expect(auth.message).not.toContain(wrongSecret);
  });

  test("no token at all: 401 FormanceUnauthorizedError from the service", async () => {
    const f = new Formance({ serverURL: STACK.gateway, retry: false });
    await expectAPIError(f.auth.v1.listClients({}), { status: 401, type: FormanceUnauthorizedError });
  });

  test("a token without the scope: the service refuses it with a typed error", async () => {
    const f = sdk({ retry: false }, "readonly");
    // The read-only client may read wallets...
    await f.wallets.v1.getServerInfo({}).catch(() => undefined);
    const error = await f.wallets.v1
      .createWallet({ body: { name: uniqueName("denied"), metadata: {} } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // ...but not write them: auth checks scopes (`--auth-check-scopes`).
    expect(
      error instanceof FormanceForbiddenError || error instanceof FormanceUnauthorizedError,
      `got ${String(error)}`,
    ).toBe(true);
  });

  test("clients and secrets: create, read, update, list, add and remove a secret, delete", async () => {
    const f = sdk();
    const name = uniqueName("client");
    const created = await f.auth.v1.createOAuthClient({
      body: { name, scopes: ["ledger:read"], metadata: { e2e: "yes" } },
    });
    expect(created.id).toMatch(/\S/);
    expect(created.name).toBe(name);

    const read = await f.auth.v1.readClient({ clientId: created.id });
    expect(read.scopes).toEqual(["ledger:read"]);

    const updated = await f.auth.v1.updateClient({
      clientId: created.id,
      body: { name: `${name}-2`, scopes: ["ledger:read", "ledger:write"] },
    });
    expect(updated.name).toBe(`${name}-2`);
    expect(updated.scopes?.sort()).toEqual(["ledger:read", "ledger:write"]);

    const listed = await f.auth.v1.listClients({});
    expect(listed.map((c) => c.id)).toContain(created.id);

    const secret = await f.auth.v1.createSecret({ clientId: created.id, body: { name: "s1" } });
    expect(secret.clear.length).toBeGreaterThan(8);
    expect(secret.clear.endsWith(secret.lastDigits)).toBe(true);

    // The new client can get a token with its new secret, through our client-credentials flow.
    const asNew = new Formance({
      serverURL: STACK.gateway,
      clientId: created.id,
      clientSecret: secret.clear,
    });
    expect((await asNew.ledger.v2.getInfo({})).version).toMatch(/\S/);

    await f.auth.v1.deleteSecret({ clientId: created.id, secretId: secret.id });
    expect((await f.auth.v1.readClient({ clientId: created.id })).secrets ?? []).toEqual([]);

    await f.auth.v1.deleteClient({ clientId: created.id });
    await expectAPIError(f.auth.v1.readClient({ clientId: created.id }), { status: 404 });
  });

  test("users: the list (empty without a login), an unknown user 404", async () => {
    const f = sdk();
    const users = await f.auth.v1.listUsers({});
    expect(Array.isArray(users)).toBe(true);
    await expectAPIError(f.auth.v1.readUser({ userId: "no-such-user" }), { status: 404 });
  });
});
