// The ledger helpers against a real ledger: Numscript built with the `numscript` template (every
// value a typed variable, hostile strings included), amounts read and written with
// parseAmount/formatAmount, and importTransactions: thousands of transactions, re-runs and lost
// answers that must not post anything twice.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  account,
  amount,
  asset,
  FormanceValidationError,
  formatAmount,
  type ImportResult,
  importTransactions,
  number,
  numscript,
  parseAmount,
  portion,
  string,
  type V2PostTransactionInput,
} from "@formance/ledger";
import { afterAll, beforeAll, expect, test } from "vitest";
import { main as ledgerHelpersExample } from "../examples/ledger-helpers";
import { client, describeLedger, LEDGER_URL, newLedger } from "./lib/env";

const HOSTILE =
  '")\nsend [USD/2 100000] (\n  source = @world\n  destination = @attacker\n)\nset_tx_meta("x", "';

describeLedger("ledger helpers: numscript and amounts", () => {
  const sdk = client();
  let ledger: string;
  beforeAll(async () => {
    ledger = await newLedger(sdk, "numscript");
  });

  test("the template's script posts exactly the postings it says, each value a typed variable", async () => {
    const script = numscript`
      send ${amount(parseAmount("1234.56", "USD/2"), "USD/2")} (
        source = @world
        destination = ${account("users:1")}
      )
    `;
    const tx = await sdk.v2.createTransaction({ ledger, body: { script } });
    expect(tx.postings).toEqual([
      { amount: 123456n, asset: "USD/2", source: "world", destination: "users:1" },
    ]);
    const balance = (await sdk.v2.getAccount({ ledger, address: "users:1", expand: "volumes" })).volumes?.[
      "USD/2"
    ]?.balance;
    expect(formatAmount(balance!, "USD/2")).toBe("1234.56");
    expect(formatAmount(balance!, "USD/2", { locale: "en-US" })).toBe("1,234.56");
  });

  test("`world` as a variable source needs the interpreter runtime; the machine runtime refuses it", async () => {
    // The ledger's default (machine) runtime refuses `@world` as a source held in a variable
    // (COMPILATION_FAILED); the experimental interpreter takes it, on one line too.
    const script = numscript`send ${amount(100n, "USD/2")} ( source = ${account("world")} destination = ${account("users:2")} )`;
    const tx = await sdk.v2.createTransaction({
      ledger,
      body: { script, runtime: "experimental-interpreter" },
    });
    expect(tx.postings).toEqual([{ amount: 100n, asset: "USD/2", source: "world", destination: "users:2" }]);
    const multiline = numscript`send ${amount(100n, "USD/2")} (
  source = ${account("world")}
  destination = ${account("users:2")}
)`;
    await expect(sdk.v2.createTransaction({ ledger, body: { script: multiline } })).rejects.toMatchObject({
      status: 400,
      code: "COMPILATION_FAILED",
    });
  });

  test("monetary, account, asset, portion, number and string variables, read as the ledger reads them", async () => {
    const script = numscript`
      send ${amount(2n ** 70n, "ETH/18")} (
        source = @world
        destination = ${account("pool:eth")}
      )
      send [${asset("ETH/18")} *] (
        source = ${account("pool:eth")}
        destination = {
          ${portion("1/4")} to ${account("users:a")}
          ${portion("12.5%")} to ${account("users:b")}
          remaining to ${account("users:c")}
        }
      )
      set_tx_meta("count", ${number(2n ** 64n)})
      set_tx_meta("note", ${string("split of the pool")})
    `;
    const tx = await sdk.v2.createTransaction({ ledger, body: { script } });
    const total = 2n ** 70n;
    expect(tx.postings).toEqual([
      { amount: total, asset: "ETH/18", source: "world", destination: "pool:eth" },
      { amount: total / 4n, asset: "ETH/18", source: "pool:eth", destination: "users:a" },
      { amount: total / 8n, asset: "ETH/18", source: "pool:eth", destination: "users:b" },
      {
        amount: total - total / 4n - total / 8n,
        asset: "ETH/18",
        source: "pool:eth",
        destination: "users:c",
      },
    ]);
    expect(tx.metadata).toEqual({ count: String(2n ** 64n), note: "split of the pool" });
  });

  test("a hostile string stays a string: the posted transaction is exactly what was meant", async () => {
    const script = numscript`
      send ${amount(100n, "USD/2")} (
        source = @world
        destination = ${account("users:honest")}
      )
      set_tx_meta("note", ${string(HOSTILE)})
      set_account_meta(${account("users:honest")}, "label", ${string(HOSTILE)})
    `;
    expect(script.plain).not.toContain("attacker");
    const tx = await sdk.v2.createTransaction({ ledger, body: { script } });
    expect(tx.postings).toEqual([
      { amount: 100n, asset: "USD/2", source: "world", destination: "users:honest" },
    ]);
    expect(tx.metadata).toEqual({ note: HOSTILE });
    expect((await sdk.v2.getAccount({ ledger, address: "users:honest" })).metadata).toEqual({
      label: HOSTILE,
    });
    // No account was ever touched but the two meant.
    const accounts = await sdk.v2.countAccounts({ ledger, body: { $match: { address: "attacker" } } });
    expect(accounts).toBe(0n);
  });

  test("a hostile account never reaches the ledger: refused before anything is sent", async () => {
    const before = await sdk.v2.countTransactions({ ledger });
    expect(() => account('world")\n)')).toThrow(FormanceValidationError);
    expect(
      () => numscript`send [USD/2 1] (\n source = @world\n destination = ${HOSTILE as never}\n)`,
    ).toThrow(FormanceValidationError);
    expect(await sdk.v2.countTransactions({ ledger })).toBe(before);
  });
});

/** A transaction of the import: `amount` minor units of USD/2 to users:<i % 50>, reference `<tag>-<i>`. */
function* transactions(tag: string, count: number): Generator<V2PostTransactionInput> {
  for (let i = 0; i < count; i++) {
    yield {
      reference: `${tag}-${i}`,
      postings: [{ amount: BigInt(i + 1), asset: "USD/2", source: "world", destination: `users:${i % 50}` }],
      metadata: { import: tag },
    };
  }
}
const sumTo = (n: number) => (BigInt(n) * BigInt(n + 1)) / 2n;

/** Every transaction is in the ledger exactly once: count, and the sum of what `world` paid. */
async function expectExactlyOnce(ledger: string, count: number) {
  const sdk = client();
  expect(await sdk.v2.countTransactions({ ledger })).toBe(BigInt(count));
  const world = await sdk.v2.getAccount({ ledger, address: "world", expand: "volumes" });
  expect(world.volumes?.["USD/2"]?.output).toBe(sumTo(count));
}

/**
 * A proxy in front of the ledger that forwards every request but, for the chosen ones, drops the
 * connection instead of passing the answer on: the ledger committed, the client never heard.
 */
async function lossyProxy(lose: (index: number) => boolean) {
  const target = new URL(LEDGER_URL);
  let index = 0;
  const server: Server = createServer((req, res) => {
    const n = index++;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          if (lose(n)) return void req.socket.destroy();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => index,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Thousands of real transactions: minutes on a busy 2-core machine.
const SLOW = { timeout: 900_000 };

describeLedger("ledger helpers: importTransactions", () => {
  const sdk = client();
  const COUNT = 2_000;
  let proxy: Awaited<ReturnType<typeof lossyProxy>> | undefined;
  afterAll(() => proxy?.close());

  test("imports 2,000 transactions in input order; a re-run posts nothing twice", SLOW, async () => {
    const ledger = await newLedger(sdk, "import");
    let last = 0;
    const ids: bigint[] = [];
    for await (const result of importTransactions(sdk, ledger, transactions("a", COUNT), {
      concurrency: 4,
      onProgress: (p) => {
        last = p.done;
      },
    })) {
      expect(result.ok, JSON.stringify(result.ok ? "" : result.error)).toBe(true);
      if (result.ok) {
        expect(result.transaction.reference).toBe(`a-${result.index}`);
        ids.push(result.transaction.id);
      }
    }
    expect(ids).toHaveLength(COUNT);
    expect(last).toBe(COUNT);
    await expectExactlyOnce(ledger, COUNT);

    const again = await collectIds(
      importTransactions(sdk, ledger, transactions("a", COUNT), { concurrency: 4 }),
    );
    expect(again).toEqual(ids); // the same transactions, replayed from their keys
    await expectExactlyOnce(ledger, COUNT);
  });

  test("an import stopped midway, then run again, has every transaction exactly once", SLOW, async () => {
    const ledger = await newLedger(sdk, "import-stop");
    let seen = 0;
    for await (const _ of importTransactions(sdk, ledger, transactions("b", 1_000), { concurrency: 4 })) {
      if (++seen === 456) break; // chunks in flight are cancelled; some of them may have committed
    }
    const partial = await sdk.v2.countTransactions({ ledger });
    expect(partial).toBeGreaterThanOrEqual(456n);
    expect(partial).toBeLessThan(1_000n);

    const results = await importTransactions(sdk, ledger, transactions("b", 1_000), {
      concurrency: 4,
    }).collect();
    expect(results.filter((r) => r.ok)).toHaveLength(1_000);
    await expectExactlyOnce(ledger, 1_000);
  });

  test(
    "answers lost after the ledger committed: the chunks are sent again and nothing is posted twice",
    SLOW,
    async () => {
      const ledger = await newLedger(sdk, "import-lossy");
      proxy = await lossyProxy((n) => n % 3 === 1); // every third answer is lost
      const results = await importTransactions(
        { client: client({ serverURL: proxy.url }).client },
        ledger,
        transactions("c", 300),
        { concurrency: 2, retry: { maxRetries: 8, initialDelay: 10 } },
      ).collect();
      expect(results.map((r) => r.ok && r.transaction.reference)).toEqual(
        Array.from({ length: 300 }, (_, i) => `c-${i}`),
      );
      expect(proxy.requests()).toBeGreaterThan(3); // 3 chunks, some sent again
      await expectExactlyOnce(ledger, 300);
    },
  );

  test(
    "refused transactions are failed results with the ledger's code; the rest is committed",
    SLOW,
    async () => {
      const ledger = await newLedger(sdk, "import-refused");
      const source: V2PostTransactionInput[] = [...transactions("d", 250)];
      source[120] = {
        reference: "d-overdraft",
        postings: [{ amount: 1n, asset: "USD/2", source: "users:nobody", destination: "users:1" }],
      };
      const results = await importTransactions(sdk, ledger, source).collect();
      const failed = results.filter((r): r is Extract<ImportResult, { ok: false }> => !r.ok);
      expect(failed.map((r) => [r.index, r.key, r.error.code])).toEqual([
        [120, "d-overdraft", "INSUFFICIENT_FUND"],
      ]);
      expect(await sdk.v2.countTransactions({ ledger })).toBe(249n);
    },
  );
});

describeLedger("ledger helpers: the example", () => {
  test(
    "examples/ledger-helpers.ts runs against the real ledger, and again without posting twice",
    SLOW,
    async () => {
      const log = console.log;
      console.log = () => {};
      try {
        const first = await ledgerHelpersExample(LEDGER_URL, 300);
        const again = await ledgerHelpersExample(LEDGER_URL, 300);
        for (const result of [first, again]) {
          expect(result).toMatchObject({
            price: 123456n,
            shown: "18.446744073709551617",
            paid: [{ amount: 123456n, asset: "USD/2", source: "world", destination: "users:42" }],
            metadata: { note: 'paid "in full"\n(thanks)' },
            imported: 300,
            refused: [],
          });
        }
        expect(again.usersZero).toBe(first.usersZero);
      } finally {
        console.log = log;
      }
    },
  );
});

async function collectIds(run: AsyncIterable<ImportResult>): Promise<bigint[]> {
  const ids: bigint[] = [];
  for await (const r of run) if (r.ok) ids.push(r.transaction.id);
  return ids;
}
