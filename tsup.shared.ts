// The one tsup config of every package (`tsup --config ../../tsup.shared.ts`, run in the package folder).
// Build entries come from the package's `exports` map (written by `pnpm codegen` from
// tools/codegen/services.json): `./dist/v2.js` is built from `src/v2.ts`.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { defineConfig } from "tsup";

interface Manifest {
  version: string;
  exports: Record<string, string | { import: { default: string } }>;
}

const manifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as Manifest;

const entry: Record<string, string> = {};
for (const target of Object.values(manifest.exports)) {
  if (typeof target === "string") continue; // ./package.json
  const name = target.import.default.replace(/^\.\/dist\//, "").replace(/\.js$/, "");
  entry[name] = `src/${name}.ts`;
}

export default defineConfig({
  entry,
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  splitting: false,
  // The user agent carries the published version (packages/core/src/client.ts).
  define: { __VERSION__: JSON.stringify(manifest.version) },
  // ky is bundled into the core, with two changes made at build time:
  // - its one module-level call (`const ky = createInstance()`, the default instance the SDK never
  //   uses) is annotated pure: otherwise every bundle that imports anything from the core, an error
  //   class or a ledger helper, would carry the whole transport;
  // - its upload and download progress streams are left out: they run only for ky's
  //   `onUploadProgress`/`onDownloadProgress` options, which the SDK never sets and does not let
  //   callers set (only hooks reach ky). Calling either stub throws, so a change that starts using
  //   them fails its tests instead of silently doing nothing.
  noExternal: ["ky"],
  esbuildPlugins: [
    {
      name: "ky-without-progress",
      setup(build) {
        build.onLoad({ filter: /[\\/]ky[\\/]distribution[\\/]utils[\\/]body\.js$/ }, async (args) => {
          const source = await readFile(args.path, "utf8");
          for (const name of ["streamRequest", "streamResponse"]) {
            if (!source.includes(`export const ${name} =`)) {
              throw new Error(`ky's ${name} was not found in ${args.path}`);
            }
          }
          const unused = (name: string) =>
            `export const ${name} = () => { throw new Error("ky's progress events are not used by the Formance SDK"); };`;
          return { contents: [unused("streamRequest"), unused("streamResponse")].join("\n"), loader: "js" };
        });
      },
    },
    {
      name: "ky-pure-default-instance",
      setup(build) {
        build.onLoad({ filter: /[\\/]ky[\\/]distribution[\\/]index\.js$/ }, async (args) => {
          const source = await readFile(args.path, "utf8");
          const marked = source.replace(
            "const ky = createInstance();",
            "const ky = /* @__PURE__ */ createInstance();",
          );
          if (marked === source) throw new Error(`ky's default instance was not found in ${args.path}`);
          return { contents: marked, loader: "js" };
        });
      },
    },
  ],
});
