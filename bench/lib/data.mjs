// Deterministic, realistic ledger payloads (what a Formance ledger v2 returns for a transaction:
// postings, metadata, microsecond timestamps, post-commit volumes). Amounts stay below 2^53 here:
// this is the common case. The JSON parse benchmark (json-parse.mjs) covers big amounts.

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ASSETS = ["USD/2", "EUR/2", "COIN", "JPY", "BTC/8"];
const pad = (n, w) => String(n).padStart(w, "0");

/** One V2Transaction as a plain object (numbers for amounts and ids), ~1 KB of JSON. */
export function transaction(id) {
  const rand = rng(id + 1);
  const int = (n) => Math.floor(rand() * n);
  const user = int(100_000);
  const asset = ASSETS[int(ASSETS.length)];
  const amount = 1 + int(1_000_000);
  const postings = [
    { amount, asset, source: "world", destination: `users:${user}` },
    { amount: Math.max(1, amount >> 3), asset, source: `users:${user}`, destination: "platform:fees" },
  ];
  const volumes = {};
  for (const account of ["world", `users:${user}`, "platform:fees"]) {
    const input = int(1e12);
    const output = int(1e12);
    volumes[account] = { [asset]: { input, output, balance: input - output } };
  }
  const ts = `2024-${pad(1 + int(12), 2)}-${pad(1 + int(28), 2)}T${pad(int(24), 2)}:${pad(int(60), 2)}:${pad(int(60), 2)}.${pad(int(1e6), 6)}Z`;
  return {
    id,
    postings,
    metadata: { orderId: `ord_${int(1e12).toString(36)}`, channel: "web", note: "weekly payout" },
    timestamp: ts,
    insertedAt: ts,
    updatedAt: ts,
    reference: `ref-${id}`,
    reverted: false,
    postCommitVolumes: volumes,
    postCommitEffectiveVolumes: volumes,
  };
}

/** The request body of a createTransaction call (amounts as bigint for the SDKs). */
export function postTransaction(bigintAmounts) {
  const amount = bigintAmounts ? 12_345n : 12_345;
  return {
    postings: [
      { amount, asset: "USD/2", source: "world", destination: "users:42" },
      {
        amount: bigintAmounts ? 123n : 123,
        asset: "USD/2",
        source: "users:42",
        destination: "platform:fees",
      },
    ],
    metadata: { orderId: "ord_42", channel: "web" },
  };
}
