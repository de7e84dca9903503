import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", v1: "src/v1.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  splitting: false,
});
