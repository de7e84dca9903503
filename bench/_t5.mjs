import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
const P = "/work/main/packages";
const alias = { "@formance/sdk-core": `${P}/core/src/index.ts`, "@formance/ledger/v2": `${P}/ledger/src/v2.ts`, "@formance/ledger": `${P}/ledger/src/index.ts` };
const plugin = { name: "src", setup(b) {
  b.onResolve({ filter: /^@formance\/(sdk-core|ledger)(\/v2)?$/ }, (a) => ({ path: alias[a.path] }));
  b.onLoad({ filter: /generated\/(schemas|v\d\/operations)\.ts$/ }, (a) => ({ loader: "ts", contents: readFileSync(a.path, "utf8").replace(/(?<![\w$.])((?:v\.)?[A-Za-z_$][\w$]*)\(/g, (m, f) => ["function","if","for","while","switch","return"].includes(f) ? m : `/* @__PURE__ */ ${f}(`) }));
} };
const cases = {
 fn: `import { createClient } from "@formance/sdk-core"; import { createTransaction } from "@formance/ledger/v2"; const c = createClient({serverURL:"http://x"}); createTransaction(c, {ledger:"main", body:{postings:[]}}).then(console.log);`,
 cls: `import { Ledger } from "@formance/ledger"; new Ledger({serverURL:"http://x"}).v2.createTransaction({ledger:"main", body:{postings:[]}}).then(console.log);`,
};
for (const [k, src] of Object.entries(cases)) {
  const r = await esbuild.build({ stdin: { contents: src, resolveDir: process.cwd(), loader: "js" }, bundle: true, minify: true, format: "esm", platform: "browser", write: false, metafile: true, logLevel: "error", plugins:[plugin], define: {__VERSION__: '"0.1.0"'} });
  const code = r.outputFiles[0].contents;
  console.log(k, code.length, gzipSync(code, { level: 9 }).length);
  const inputs = Object.entries(r.metafile.outputs)[0][1].inputs; console.log(Object.entries(inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,16).map(([p,i])=>"  "+p.replace(/.*node_modules\//,'').replace(/.*packages\//,'')+" "+i.bytesInOutput).join("\n"));
}
