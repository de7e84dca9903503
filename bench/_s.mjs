import { startServer } from "./lib/common.mjs";
import { postTransaction } from "./lib/data.mjs";
import { Formance } from "@formance/sdk";
import { SDK } from "@formance/formance-sdk";
const s = await startServer(["--total=250"]);
try {
  const ours = new Formance({ serverURL: s.url });
  const t = await ours.ledger.v2.createTransaction({ ledger: "main", body: postTransaction(true) });
  console.log("ours create", t.id, typeof t.id, Object.keys(t).length, t.postings[0].amount);
  const g = await ours.ledger.v2.getTransaction({ ledger: "main", id: 1234n });
  console.log("ours get", g.id);
  let n = 0; for await (const tx of ours.ledger.v2.listTransactions({ ledger: "main", pageSize: 100 })) n++;
  console.log("ours list", n);
  const old = new SDK({ serverURL: s.url });
  const o = await old.ledger.v2.createTransaction({ ledger: "main", v2PostTransaction: postTransaction(true) });
  console.log("old create", Object.keys(o), o.v2CreateTransactionResponse?.data?.id);
  const og = await old.ledger.v2.getTransaction({ ledger: "main", id: 1234n });
  console.log("old get", Object.keys(og), og.v2GetTransactionResponse?.data?.id);
  const ol = await old.ledger.v2.listTransactions({ ledger: "main", pageSize: 100 });
  console.log("old list", Object.keys(ol), ol.v2TransactionsCursorResponse?.cursor?.next, typeof ol.next);
} finally { await s.close(); }
