import { startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Auth } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("createOAuthClient (operation createClient): 201 with the created client, write scope requested", async () => {
  server = await startServer((req) =>
    req.path === "/api/auth/oauth/token"
      ? { body: { access_token: "tok", token_type: "Bearer", expires_in: 3600 } }
      : {
          status: 201,
          body: { data: { id: "c1", name: "backend", public: false, scopes: ["ledger:read"] } },
        },
  );
  const auth = new Auth({ serverURL: server.url, clientId: "admin", clientSecret: "s3cret" });
  const client = await auth.v1.createOAuthClient({ body: { name: "backend", scopes: ["ledger:read"] } });
  expect(client.id).toBe("c1");
  const [token, call] = server.requests;
  expect(new URLSearchParams(token!.text).get("scope")).toBe("auth:write");
  expect(call!.headers.authorization).toBe("Bearer tok");
  expect(call!.text).toBe('{"name":"backend","scopes":["ledger:read"]}');
});
