// Hand-written helpers for what ledger integrations otherwise write by hand: exact amounts,
// injection-free Numscript, bulk imports. Tree-shakable: a bundle carries only the ones it uses.
export { type AmountFormatOptions, assetDecimals, formatAmount, parseAmount } from "./amount";
export {
  ImportChunkError,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  importTransactions,
  type TransactionImport,
} from "./import";
export {
  account,
  amount,
  asset,
  type NumscriptScript,
  type NumscriptType,
  type NumscriptValue,
  number,
  numscript,
  portion,
  string,
} from "./numscript";
