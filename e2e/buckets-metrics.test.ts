// Ledger v2 system routes: soft-deleting and restoring a bucket, and the in-memory metrics.
//
// Buckets: deleteBucket marks every ledger of the bucket deleted (listLedgers hides them unless
// includeDeleted is set); restoreBucket clears the mark. Metrics: GET /_/metrics is served only when the
// ledger keeps its metrics in memory (`--otel-metrics-keep-in-memory`, which stack/ledger.mjs passes);
// otherwise the route does not exist and the metrics test is skipped, saying so.
import { FormanceAPIError } from "@formance/ledger";
import { expect, test } from "vitest";
import { client, collect, describeLedger, newLedger, RUN_ID } from "./lib/env";

describeLedger("ledger v2: buckets and metrics", () => {
  const sdk = client();

  test("deleteBucket hides the bucket's ledgers, restoreBucket brings them back", async () => {
    // Bucket names follow the ledger name rule; one per run keeps the test independent of others.
    const bucket = `e2e_bucket_${RUN_ID}`.slice(0, 63);
    const first = await newLedger(sdk, "bkt", { bucket });
    const second = await newLedger(sdk, "bkt", { bucket });
    const bystander = await newLedger(sdk, "bkt-other");
    expect((await sdk.v2.getLedger({ ledger: first })).bucket).toBe(bucket);

    const listed = async (includeDeleted?: boolean) =>
      (
        await collect(sdk.v2.listLedgers({ pageSize: 100, includeDeleted, body: { $match: { bucket } } }))
      ).map((l) => ({ name: l.name, deleted: Boolean(l.deletedAt) }));
    expect((await listed()).map((l) => l.name).sort()).toEqual([first, second].sort());

    await sdk.v2.deleteBucket({ bucket });
    expect(await listed()).toEqual([]);
    const withDeleted = await listed(true);
    expect(withDeleted.map((l) => l.name).sort()).toEqual([first, second].sort());
    expect(withDeleted.every((l) => l.deleted)).toBe(true);
    // Other buckets are untouched.
    expect((await sdk.v2.getLedger({ ledger: bystander })).name).toBe(bystander);

    await sdk.v2.restoreBucket({ bucket });
    const restored = await listed();
    expect(restored.map((l) => l.name).sort()).toEqual([first, second].sort());
    expect(restored.every((l) => !l.deleted)).toBe(true);
    const tx = await sdk.v2.createTransaction({
      ledger: first,
      body: { postings: [{ amount: 3n, asset: "USD/2", source: "world", destination: "users:restored" }] },
    });
    expect(tx.postings[0]?.amount).toBe(3n);
  });

  test("getMetrics returns the ledger's in-memory metrics", async (ctx) => {
    // Make sure at least one request has been measured.
    await sdk.v2.getInfo();
    let metrics: Record<string, unknown>;
    try {
      metrics = await sdk.v2.getMetrics();
    } catch (error) {
      if (error instanceof FormanceAPIError && error.status === 404) {
        ctx.skip(
          `this ledger keeps no metrics in memory (${error.message}); run it with --otel-metrics-keep-in-memory`,
        );
      }
      throw error;
    }
    const scopes = metrics.ScopeMetrics as Array<{ Metrics?: Array<{ Name?: string }> }> | undefined;
    expect(Array.isArray(scopes), `no ScopeMetrics in ${JSON.stringify(metrics).slice(0, 300)}`).toBe(true);
    const names = (scopes ?? []).flatMap((s) => (s.Metrics ?? []).map((m) => m.Name));
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => typeof n === "string" && n !== "")).toBe(true);
  });
});
