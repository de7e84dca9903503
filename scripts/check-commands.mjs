#!/usr/bin/env node
// The commands the docs tell people to type must work. Every `pnpm X`, `pnpm run X`, `npm run X` and
// `npm test` written in code (backtick spans and fenced blocks) of the repository's Markdown files must
// name a root script (or, for pnpm, a binary of the root), and `pnpm X` must not be one of pnpm's own
// commands when a script is meant: pnpm runs its command, never the script (`pnpm version` prints
// versions, `pnpm docs` opens a browser). Run by the unit stage of scripts/run.mjs; exits 1 listing
// what is wrong.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
/** pnpm's (and npm's, which pnpm passes unknown commands to) own commands that win over a script of the same name. */
const PNPM_COMMANDS = new Set(
  (
    "add audit bin cache config create dedupe deploy dlx docs env exec fetch help home i import info init " +
    "install install-test licenses link list ls outdated owner pack patch patch-commit prune publish " +
    "rebuild remove rm root run server setup store unlink up update version view why"
  ).split(" "),
);
/** npm's own commands the docs may use as they are. */
const NPM_COMMANDS = new Set(["i", "install", "uninstall", "publish", "pack", "ci", "view"]);

const files = execFileSync("git", ["ls-files", "*.md"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter(
    (f) => f && !f.startsWith("docs/api/") && !f.endsWith("CHANGELOG.md") && !f.startsWith(".changeset/"),
  );

const problems = [];
for (const file of files) {
  const text = readFileSync(join(root, file), "utf8");
  // Code only: fenced blocks, then backtick spans.
  const code = [
    ...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm),
    ...text.replace(/^```[\s\S]*?^```/gm, "").matchAll(/`([^`\n]+)`/g),
  ].map((m) => m[1]);
  for (const snippet of code) {
    for (const [, tool, run, name] of snippet.matchAll(
      /(?:^|[\s(;&|])(pnpm|npm)\s+(run\s+)?([a-z][\w:.-]*)/gm,
    )) {
      const where = `${file}: \`${tool} ${run ?? ""}${name}\``;
      if (tool === "npm" && !run && name !== "test") {
        if (!NPM_COMMANDS.has(name))
          problems.push(`${where}: not a command this repository documents for npm`);
        continue;
      }
      if (tool === "pnpm" && !run && PNPM_COMMANDS.has(name)) {
        if (scripts[name]) problems.push(`${where}: pnpm's own command, not the root script of that name`);
        continue;
      }
      // A root script, or a binary of the workspace root (`pnpm turbo run build`).
      if (!scripts[name] && !existsSync(join(root, "node_modules", ".bin", name))) {
        problems.push(`${where}: no root script or binary "${name}"`);
      }
    }
  }
}
if (problems.length) {
  console.error(`✗ documented commands:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `documented commands: every pnpm/npm command in ${files.length} Markdown files runs a root script or a package manager command`,
);
