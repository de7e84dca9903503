// The README's helper snippets are excerpts of examples/ledger-helpers.ts, which CI runs (examples
// suite, and the e2e suite against a real ledger): this keeps them from drifting apart.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const example = readFileSync(new URL("../../../examples/ledger-helpers.ts", import.meta.url), "utf8");

function helperSnippets(): string[] {
  const start = readme.indexOf("## Helpers");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The snippet's lines appear in the example, in the same order (comments and indentation aside). */
function isExcerpt(snippet: string, source: string): string | undefined {
  const lines = source.split("\n").map((l) => l.trim());
  let at = 0;
  for (const line of snippet.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    const found = lines.indexOf(line, at);
    if (found === -1) return line;
    at = found + 1;
  }
  return undefined;
}

describe("packages/ledger/README.md helpers section", () => {
  const snippets = helperSnippets();

  it("has the three snippets", () => {
    expect(snippets).toHaveLength(3);
  });

  it.each(snippets.map((s, i) => [i, s]))(
    "snippet %i is an excerpt of examples/ledger-helpers.ts",
    (_, snippet) => {
      expect(isExcerpt(snippet as string, example), "this README line is not in the example").toBeUndefined();
    },
  );
});
