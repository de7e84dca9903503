// Amounts and assets: the ledger stores integers of minor units; `USD/2` says there are 2 decimals.
// Exact for any bigint: digits are laid out by hand (Intl.NumberFormat goes through float64 and
// cannot hold 18 decimals of a 2^256 amount); Intl only tells a locale's separators and grouping.
import { FormanceValidationError } from "@formance/sdk-core";

/** The ledger's asset pattern (ledger `pkg/assets/asset.go`): `USD`, `USD/2`, `ETH/18`, `COIN_X/6`. */
const ASSET = /^[A-Z][A-Z0-9]{0,16}(?:_[A-Z]{1,16})?(?:\/(\d{1,6}))?$/;
const PLAIN_NUMBER = /^([-+]?)(\d+)(?:\.(\d+))?$/;

export interface AmountFormatOptions {
  /**
   * A BCP 47 locale (e.g. `en-US`, `de-DE`, `en-IN`): digits are grouped and the decimal separator
   * is written the way that locale does. Without it: no grouping, `.` as the decimal separator.
   */
  locale?: string;
}

function invalid(path: string, message: string): FormanceValidationError {
  return new FormanceValidationError([{ path, message }]);
}

/** The number of decimals of an asset: `USD/2` → 2, `ETH/18` → 18, `JPY` → 0. Throws on a malformed asset. */
export function assetDecimals(asset: string): number {
  const match = typeof asset === "string" ? ASSET.exec(asset) : null;
  if (!match) {
    throw invalid(
      "asset",
      `Expected an asset such as "USD/2" (uppercase letters and digits, optionally "/" and the number of decimals), got ${JSON.stringify(asset)}`,
    );
  }
  return match[1] === undefined ? 0 : Number(match[1]);
}

interface Separators {
  decimal: string;
  group: string;
  minus: string;
  /** Size of the group next to the decimal separator, and of the groups before it (3 and 2 in en-IN). */
  primary: number;
  secondary: number;
  /** Fewest integer digits that get grouped at all (5 in es-ES, where 1234 stays 1234). */
  minimum: number;
}

const cache = new Map<string, Separators>();

/** What a locale writes, learnt from Intl on small safe numbers only. */
function separatorsOf(locale: string): Separators {
  const cached = cache.get(locale);
  if (cached) return cached;
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale);
  } catch {
    throw invalid(
      "options.locale",
      `Expected a BCP 47 locale such as "en-US", got ${JSON.stringify(locale)}`,
    );
  }
  const parts = (n: number) => format.formatToParts(n);
  const of = (n: number, type: string) => parts(n).find((p) => p.type === type)?.value;
  const groups = parts(1234567890)
    .filter((p) => p.type === "integer")
    .map((p) => p.value.length);
  const primary = groups.length > 1 ? groups[groups.length - 1]! : 0;
  const secondary = groups.length > 2 ? groups[groups.length - 2]! : primary;
  const result: Separators = {
    decimal: of(1.5, "decimal") ?? ".",
    group: of(1234567890, "group") ?? "",
    minus: of(-1, "minusSign") ?? "-",
    primary,
    secondary,
    minimum: of(1234, "group") === undefined ? 5 : 1,
  };
  cache.set(locale, result);
  return result;
}

function group(digits: string, s: Separators): string {
  if (!s.group || s.primary === 0 || digits.length < Math.max(s.minimum, s.primary + 1)) return digits;
  const out: string[] = [digits.slice(-s.primary)];
  let rest = digits.slice(0, -s.primary);
  while (rest.length > s.secondary) {
    out.unshift(rest.slice(-s.secondary));
    rest = rest.slice(0, -s.secondary);
  }
  if (rest) out.unshift(rest);
  return out.join(s.group);
}

/**
 * Writes an amount of minor units as a decimal number in the asset's unit:
 * `formatAmount(123456n, "USD/2") === "1234.56"`, `formatAmount(-5n, "USD/2") === "-0.05"`,
 * `formatAmount(123456n, "USD/2", { locale: "de-DE" }) === "1.234,56"`. Exact for any bigint.
 */
export function formatAmount(amount: bigint, asset: string, options: AmountFormatOptions = {}): string {
  if (typeof amount !== "bigint") {
    throw invalid("amount", `Expected a bigint (minor units), got ${typeof amount}`);
  }
  const decimals = assetDecimals(asset);
  const digits = (amount < 0n ? -amount : amount).toString().padStart(decimals + 1, "0");
  const units = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  const s = options.locale === undefined ? undefined : separatorsOf(options.locale);
  const sign = amount < 0n ? (s?.minus ?? "-") : "";
  const whole = s ? group(units, s) : units;
  return fraction ? `${sign}${whole}${s?.decimal ?? "."}${fraction}` : `${sign}${whole}`;
}

/**
 * Reads a decimal number in the asset's unit as minor units: `parseAmount("1234.56", "USD/2") === 123456n`.
 * Takes an optional sign, digits and at most as many decimals as the asset has; with `locale`, also
 * that locale's group and decimal separators (`parseAmount("1.234,56", "EUR/2", { locale: "de-DE" })`).
 * Throws a FormanceValidationError for a malformed number, too many decimals or a malformed asset.
 */
export function parseAmount(text: string, asset: string, options: AmountFormatOptions = {}): bigint {
  const decimals = assetDecimals(asset);
  if (typeof text !== "string") throw invalid("amount", `Expected a string, got ${typeof text}`);
  let plain = text.trim();
  if (options.locale !== undefined) {
    const s = separatorsOf(options.locale);
    // Group separators such as U+202F (narrow no-break space) are also typed as plain spaces.
    const spaces = /^\s$/.test(s.group);
    plain = [...plain]
      .filter((c) => !(c === s.group || (spaces && /\s/.test(c))))
      .map((c) => (c === s.decimal ? "." : c === s.minus ? "-" : c))
      .join("");
  }
  const match = PLAIN_NUMBER.exec(plain);
  if (!match) {
    const form =
      options.locale === undefined
        ? "digits with an optional sign and `.` decimals"
        : `a number written in ${options.locale}`;
    throw invalid("amount", `Expected ${form} (e.g. "1234.56"), got ${JSON.stringify(text)}`);
  }
  const [, sign, units, fraction = ""] = match;
  if (fraction.length > decimals) {
    throw invalid(
      "amount",
      `Expected at most ${decimals} decimal${decimals === 1 ? "" : "s"} for ${asset}, got ${fraction.length} in ${JSON.stringify(text)}`,
    );
  }
  const minor = BigInt(units! + fraction.padEnd(decimals, "0"));
  return sign === "-" ? -minor : minor;
}
