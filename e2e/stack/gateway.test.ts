// The real gateway: /versions lists every service behind it with its version and health, and a path
// with no service behind it is the gateway's own 404.
import { expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { describeStack, STACK, sdk } from "./lib/stack";

describeStack("gateway", ["gateway"], () => {
  test("getVersions: every service behind the gateway, healthy, with its version", async () => {
    const versions = await sdk().getVersions();
    expect(versions.region).toBe("local");
    expect(versions.env).toBe("local");
    const behind = STACK.services.filter((s) => s !== "gateway" && s !== "temporal");
    expect(versions.versions.map((v) => v.name).sort()).toEqual([...behind].sort());
    for (const v of versions.versions) {
      expect(v.health, `${v.name} healthy`).toBe(true);
      expect(v.version, `${v.name} version`).toMatch(/\S/);
    }
  });

  test("a service that is not behind the gateway: 404", async () => {
    const f = sdk({ pathPrefix: { wallets: "/api/no-such-service" } });
    await expectAPIError(f.wallets.v1.getServerInfo({}), { status: 404 });
  });
});
