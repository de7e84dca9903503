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
  //   them fails its tests instead of silently doing nothing;
  // - its two feature probes that touch fetch's classes (`supportsRequestStreams` builds a
  //   `Request` with a stream body, `supportsFormData` reads `FormData`) run on the first request
  //   instead of at import: in Node, the first touch of any of those globals loads the whole fetch
  //   implementation (undici), about half of a cold import's time, which an app that imports the
  //   SDK at start-up and calls it later should not pay up front.
  // Each change fails the build if ky's files no longer have the code it rewrites.
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
      name: "ky-lazy-feature-probes",
      setup(build) {
        // [file, pattern, replacement, expected matches]
        const rewrites: [RegExp, RegExp, string, number][] = [
          [
            /[\\/]ky[\\/]distribution[\\/]core[\\/]constants\.js$/,
            /export const supportsRequestStreams = \(\(\) => \{/g,
            "let requestStreams;\nexport const supportsRequestStreams = () => requestStreams ??= (() => {",
            1,
          ],
          [
            /[\\/]ky[\\/]distribution[\\/]core[\\/]constants\.js$/,
            /export const supportsFormData = typeof/g,
            "export const supportsFormData = () => typeof",
            1,
          ],
          [
            /[\\/]ky[\\/]distribution[\\/]core[\\/]Ky\.js$/,
            /\bsupportsRequestStreams(?=\))/g,
            "supportsRequestStreams()",
            2,
          ],
          [
            /[\\/]ky[\\/]distribution[\\/]core[\\/]Ky\.js$/,
            /\bsupportsFormData(?= &&)/g,
            "supportsFormData()",
            1,
          ],
        ];
        build.onLoad(
          { filter: /[\\/]ky[\\/]distribution[\\/]core[\\/](constants|Ky)\.js$/ },
          async (args) => {
            let contents = await readFile(args.path, "utf8");
            for (const [file, from, to, count] of rewrites) {
              if (!file.test(args.path)) continue;
              const found = contents.match(from)?.length ?? 0;
              if (found !== count) {
                throw new Error(
                  `ky's feature probes: expected ${count} match(es) of ${from} in ${args.path}, found ${found}`,
                );
              }
              contents = contents.replace(from, to);
            }
            return { contents, loader: "js" };
          },
        );
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
