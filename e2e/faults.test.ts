// Fault injection against the real ledger: a local proxy between the SDK and the ledger drops
// connections before and after forwarding, resets mid-response, holds answers past the timeout,
// answers 502/503 and delivers requests twice. Every logical write must land exactly once, to the
// unit, with amounts above 2^64; reads must come back whole. The proxy: tools/testkit/fault-proxy.ts.
import {
  FormanceConnectionError,
  FormanceError,
  FormanceServerError,
  FormanceTimeoutError,
  Ledger,
  type V2Transaction,
} from "@formance/ledger";
import { type Fault, type FaultProxy, seededRandom, startFaultProxy } from "@formance/testkit/fault-proxy";
import { afterEach, expect, test } from "vitest";
import { client, collect, describeLedger, LEDGER_URL, newLedger, RUN_ID } from "./lib/env";

const BIG = 2n ** 64n;
/** Per attempt; "slow-response" holds an answer for twice as long. */
const TIMEOUT = 1_500;
const RETRY = { maxRetries: 8, initialDelay: 20, maxDelay: 200, budget: 90_000 };
/** How many times a test repeats a logical write (same key) when the SDK gave up: bounded. */
const MAX_CALLS = 6;

const direct = client();
const proxies: FaultProxy[] = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function proxy(plan: (index: number, key: string | undefined, method: string) => Fault) {
  const p = await startFaultProxy({
    target: LEDGER_URL,
    slowMs: TIMEOUT * 2,
    plan: (req, index) => {
      const key = req.headers["idempotency-key"];
      return plan(index, typeof key === "string" ? key : undefined, req.method);
    },
  });
  proxies.push(p);
  return { proxy: p, sdk: new Ledger({ serverURL: p.url, pathPrefix: "", timeout: TIMEOUT, retry: RETRY }) };
}

const amountOf = (i: number) => BIG + BigInt(i) * 1_000_003n;

function bodyOf(i: number) {
  return {
    postings: [{ amount: amountOf(i), asset: "COIN", source: "world", destination: `users:${i % 5}` }],
    metadata: { write: String(i), run: RUN_ID },
  };
}

interface Written {
  i: number;
  tx: V2Transaction;
  hit: boolean;
  /** Calls the test made (1 when the SDK's own retries absorbed every fault). */
  calls: number;
}

/** One logical write with the caller's idempotency key, repeated with the same key if the SDK gives up. */
async function write(sdk: Ledger, ledger: string, i: number): Promise<Written> {
  const idempotencyKey = `w-${ledger}-${i}`;
  let last: unknown;
  for (let calls = 1; calls <= MAX_CALLS; calls++) {
    try {
      const { data, response } = await sdk.v2
        .createTransaction({ ledger, idempotencyKey, body: bodyOf(i) })
        .withResponse();
      return { i, tx: data, hit: response.headers.get("idempotency-hit") === "true", calls };
    } catch (error) {
      // Only failures of the transport are worth repeating; anything else is a real failure.
      const transient =
        error instanceof FormanceConnectionError ||
        error instanceof FormanceTimeoutError ||
        error instanceof FormanceServerError;
      if (!transient) throw error;
      last = error;
    }
  }
  throw new Error(`write ${i} failed ${MAX_CALLS} times`, { cause: last });
}

/** Runs `count` writes, `parallel` at a time. */
async function writeAll(sdk: Ledger, ledger: string, count: number, parallel = 1): Promise<Written[]> {
  const out: Written[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        out.push(await write(sdk, ledger, i));
      }
    }),
  );
  return out.sort((a, b) => a.i - b.i);
}

/** Read straight from the ledger (no proxy): each write once, every amount and the sum exact. */
async function expectExactlyOnce(ledger: string, count: number): Promise<void> {
  const txs = await collect(direct.v2.listTransactions({ ledger, pageSize: 100 }));
  expect(await direct.v2.countTransactions({ ledger })).toBe(BigInt(count));
  const byWrite = new Map<string, V2Transaction[]>();
  for (const tx of txs) {
    const key = String(tx.metadata.write);
    byWrite.set(key, [...(byWrite.get(key) ?? []), tx]);
  }
  for (let i = 0; i < count; i++) {
    const found = byWrite.get(String(i)) ?? [];
    expect(found, `write ${i}`).toHaveLength(1);
    expect(found[0]!.postings[0]!.amount).toBe(amountOf(i));
  }
  expect(txs).toHaveLength(count);
  let expected = 0n;
  for (let i = 0; i < count; i++) expected += amountOf(i);
  const sum = txs.reduce((total, tx) => total + tx.postings[0]!.amount, 0n);
  expect(sum).toBe(expected);
  const balances = await direct.v2.getBalancesAggregated({ ledger, body: { $match: { address: "users:" } } });
  expect(balances.COIN).toBe(expected);
  expect(expected > BIG).toBe(true);
}

describeLedger("faults: every write lands exactly once", () => {
  // Each fault hits the first attempt of every write; the retries pass. The SDK's own retries
  // (same key) must absorb it: one call per write, and a replay (Idempotency-Hit) whenever the
  // faulted attempt had reached the ledger.
  const cases: [Fault, { reachedLedger: boolean }][] = [
    ["drop-before", { reachedLedger: false }],
    ["503-before", { reachedLedger: false }],
    ["drop-after", { reachedLedger: true }],
    ["reset-mid-response", { reachedLedger: true }],
    ["slow-response", { reachedLedger: true }],
    ["502-after", { reachedLedger: true }],
  ];

  test.each(cases)("%s on the first attempt of each write", async (fault, { reachedLedger }) => {
    const ledger = await newLedger(direct, `f-${fault}`);
    const firstSeen = new Set<string>();
    const { sdk, proxy: p } = await proxy((_, key) => {
      if (!key || firstSeen.has(key)) return "pass";
      firstSeen.add(key);
      return fault;
    });
    const written = await writeAll(sdk, ledger, 4);
    expect(written.map((w) => w.calls)).toEqual([1, 1, 1, 1]);
    expect(written.map((w) => w.hit)).toEqual(Array(4).fill(reachedLedger));
    // Two attempts per write, with one key each.
    expect(p.seen).toHaveLength(8);
    for (const w of written) {
      const keys = p.seen.filter((s) => s.idempotencyKey === `w-${ledger}-${w.i}`);
      expect(keys.map((s) => s.fault)).toEqual([fault, "pass"]);
    }
    await expectExactlyOnce(ledger, 4);
  });

  test.each(["duplicate", "duplicate-concurrent"] as const)(
    "%s delivery: the ledger sees each request twice, applies it once",
    async (fault) => {
      const ledger = await newLedger(direct, `f-${fault}`);
      const { sdk, proxy: p } = await proxy(() => fault);
      const written = await writeAll(sdk, ledger, 4);
      expect(written.map((w) => w.calls)).toEqual([1, 1, 1, 1]);
      expect(p.seen).toHaveLength(4);
      expect(p.forwarded).toBe(8);
      await expectExactlyOnce(ledger, 4);
    },
  );

  test("a seeded storm of every fault, 4 writes at a time: 60 writes, each exactly once", async () => {
    const seed = Number(process.env.FORMANCE_FAULT_SEED ?? 20_260_112);
    const random = seededRandom(seed);
    const faults: Fault[] = [
      "drop-before",
      "drop-after",
      "reset-mid-response",
      "503-before",
      "502-after",
      "duplicate",
      "duplicate-concurrent",
    ];
    const ledger = await newLedger(direct, "storm");
    const { sdk, proxy: p } = await proxy(() => {
      const r = random();
      if (r < 0.45) return "pass";
      if (r < 0.5) return "slow-response"; // rarer: each costs a timeout
      return faults[Math.floor(random() * faults.length)]!;
    });
    const written = await writeAll(sdk, ledger, 60, 4);
    const tally: Record<string, number> = {};
    for (const s of p.seen) tally[s.fault] = (tally[s.fault] ?? 0) + 1;
    console.info(
      `faults storm (seed ${seed}): ${p.seen.length} attempts for 60 writes, ${p.forwarded} reached the ledger; ${JSON.stringify(tally)}; ` +
        `calls per write: max ${Math.max(...written.map((w) => w.calls))}`,
    );
    // The storm did hit: most kinds of fault happened, and some attempts that reached the ledger failed.
    expect(Object.keys(tally).length).toBeGreaterThanOrEqual(6);
    expect(written.some((w) => w.hit)).toBe(true);
    await expectExactlyOnce(ledger, 60);
  });
});

describeLedger("faults: reads come back whole", () => {
  test("paging 30 transactions through resets, drops and 503s gives the same list as the ledger", async () => {
    const ledger = await newLedger(direct, "reads");
    await writeAll(direct, ledger, 30, 3);
    const random = seededRandom(7);
    const { sdk, proxy: p } = await proxy(() => {
      const r = random();
      return r < 0.5 ? "pass" : r < 0.7 ? "reset-mid-response" : r < 0.85 ? "drop-before" : "503-before";
    });
    const through = await collect(sdk.v2.listTransactions({ ledger, pageSize: 4 }));
    const straight = await collect(direct.v2.listTransactions({ ledger, pageSize: 100 }));
    expect(through.map((t) => t.id)).toEqual(straight.map((t) => t.id));
    expect(through.map((t) => t.postings[0]!.amount)).toEqual(straight.map((t) => t.postings[0]!.amount));
    expect(p.seen.some((s) => s.fault !== "pass")).toBe(true);
    expect(await sdk.v2.countTransactions({ ledger })).toBe(30n);
  });
});

describeLedger("faults: what the SDK cannot guarantee", () => {
  test("a write without an idempotency header (createLedger) is not retried: it may have happened", async () => {
    const { sdk, proxy: p } = await proxy(() => "drop-after");
    const name = `e2e-faults-${RUN_ID}-nokey`.slice(0, 63);
    const error = await sdk.v2.createLedger({ ledger: name, body: { metadata: { e2e: RUN_ID } } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FormanceConnectionError);
    expect(p.seen).toHaveLength(1); // not retried: the SDK cannot know whether it applied
    expect((await direct.v2.getLedger({ ledger: name })).name).toBe(name); // ...and it had
  });

  test("when retries run out, a repeat without the caller's key is a new write; with it, a replay", async () => {
    const ledger = await newLedger(direct, "exhausted");
    // Every attempt reaches the ledger, none is answered.
    const { proxy: p } = await proxy(() => "drop-after");
    const giving = new Ledger({
      serverURL: p.url,
      pathPrefix: "",
      timeout: TIMEOUT,
      retry: { ...RETRY, maxRetries: 2 },
    });
    const error = await giving.v2.createTransaction({ ledger, body: bodyOf(0) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FormanceError);
    expect(p.seen).toHaveLength(3);
    expect(new Set(p.seen.map((s) => s.idempotencyKey)).size).toBe(1); // one generated key, reused
    expect(await direct.v2.countTransactions({ ledger })).toBe(1n); // three attempts, one write

    // Repeating the call without a key: the SDK generates a new one, the ledger writes again.
    await direct.v2.createTransaction({ ledger, body: bodyOf(0) });
    expect(await direct.v2.countTransactions({ ledger })).toBe(2n);
    // Repeating it with the key the first call used: a replay.
    const replay = await direct.v2
      .createTransaction({ ledger, idempotencyKey: p.seen[0]!.idempotencyKey!, body: bodyOf(0) })
      .withResponse();
    expect(replay.response.headers.get("idempotency-hit")).toBe("true");
    expect(await direct.v2.countTransactions({ ledger })).toBe(2n);
  });
});
