// The core's files import one way: no file reaches itself through its imports (type-only imports
// count too, since they tie the files together for a reader all the same).

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url);

/** The local files each source file imports, from its `import ... from "./x"` and `export ... from "./x"` lines. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SRC).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(new URL(file, SRC), "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"\.\/([^"]+)"/gms)].map(
      (m) => `${m[1]!.replace(/\.(js|ts)$/, "")}.ts`,
    );
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files along it (`a.ts → b.ts → a.ts`). */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file].join(" → "));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) visit(file);
  return found;
}

describe("the core's imports", () => {
  it("reads the import lines (the check sees the edges it must see)", () => {
    const graph = importGraph();
    expect(graph.get("index.ts")).toContain("errors.ts");
    expect(graph.get("client.ts")).toContain("options.ts");
    expect(
      cycles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", ["a.ts"]],
        ]),
      ),
    ).toEqual(["a.ts → b.ts → a.ts"]);
  });

  it("form no cycle", () => {
    expect(cycles(importGraph())).toEqual([]);
  });
});
