// parseAmount / formatAmount / assetDecimals: exact for any bigint, locale grouping done by hand.
import { describe, expect, it } from "vitest";
import { assetDecimals, FormanceValidationError, formatAmount, parseAmount } from "../src/index";

const MAX_U256 = 2n ** 256n - 1n;

function validationError(call: () => unknown): FormanceValidationError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(FormanceValidationError);
    return error as FormanceValidationError;
  }
  throw new Error("expected a FormanceValidationError, but the call returned");
}

describe("assetDecimals", () => {
  it("reads the number after the slash, 0 without one", () => {
    expect(assetDecimals("USD/2")).toBe(2);
    expect(assetDecimals("ETH/18")).toBe(18);
    expect(assetDecimals("JPY")).toBe(0);
    expect(assetDecimals("COIN_X/6")).toBe(6);
    expect(assetDecimals("X/0")).toBe(0);
  });

  it.each(["usd/2", "USD/", "USD/2/3", "/2", "", "USD 2", "USD/1234567", "ABCDEFGHIJKLMNOPQR"])(
    "rejects the malformed asset %j, saying what it expected",
    (asset) => {
      const error = validationError(() => assetDecimals(asset));
      expect(error.issues[0]!.path).toBe("asset");
      expect(error.message).toContain('Expected an asset such as "USD/2"');
      expect(error.message).toContain(JSON.stringify(asset));
    },
  );
});

describe("formatAmount", () => {
  it("writes minor units in the asset's unit", () => {
    expect(formatAmount(123456n, "USD/2")).toBe("1234.56");
    expect(formatAmount(5n, "USD/2")).toBe("0.05");
    expect(formatAmount(0n, "USD/2")).toBe("0.00");
    expect(formatAmount(100n, "JPY")).toBe("100");
    expect(formatAmount(1n, "ETH/18")).toBe("0.000000000000000001");
  });

  it("writes negative amounts with a minus sign", () => {
    expect(formatAmount(-123456n, "USD/2")).toBe("-1234.56");
    expect(formatAmount(-5n, "USD/2")).toBe("-0.05");
    expect(formatAmount(-7n, "JPY")).toBe("-7");
  });

  it("is exact for 2^256 - 1 with 18 decimals (beyond what Intl.NumberFormat holds)", () => {
    const text = formatAmount(MAX_U256, "ETH/18");
    expect(text).toBe("115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    expect(parseAmount(text, "ETH/18")).toBe(MAX_U256);
    expect(formatAmount(-MAX_U256, "ETH/18")).toBe(`-${text}`);
  });

  it("groups digits the way the locale does, exact at any size", () => {
    expect(formatAmount(123456789n, "USD/2", { locale: "en-US" })).toBe("1,234,567.89");
    expect(formatAmount(123456789n, "EUR/2", { locale: "de-DE" })).toBe("1.234.567,89");
    expect(formatAmount(-123456789n, "EUR/2", { locale: "de-DE" })).toBe("-1.234.567,89");
    // Indian grouping: 3 digits, then groups of 2.
    expect(formatAmount(1234567890n, "INR/2", { locale: "en-IN" })).toBe("1,23,45,678.90");
    expect(formatAmount(99900n, "USD/2", { locale: "en-US" })).toBe("999.00");
    expect(formatAmount(123400n, "USD/2", { locale: "en-US" })).toBe("1,234.00");
    // Spanish leaves 4-digit numbers ungrouped.
    expect(formatAmount(123400n, "EUR/2", { locale: "es-ES" })).toBe("1234,00");
    expect(formatAmount(1234500n, "EUR/2", { locale: "es-ES" })).toBe("12.345,00");
    expect(formatAmount(MAX_U256, "ETH/18", { locale: "en-US" })).toBe(
      "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935",
    );
  });

  it("agrees with Intl.NumberFormat where Intl is exact", () => {
    for (const locale of ["en-US", "de-DE", "fr-FR", "en-IN", "es-ES", "ja-JP", "de-CH"]) {
      for (const minor of [0n, 7n, 1234n, 123456n, 98765432n, -4567890123n]) {
        const intl = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        expect(formatAmount(minor, "USD/2", { locale }), `${locale} ${minor}`).toBe(
          intl.format(Number(minor) / 100),
        );
      }
    }
  });

  it("refuses a number instead of a bigint, and a malformed asset or locale", () => {
    expect(validationError(() => formatAmount(100 as unknown as bigint, "USD/2")).issues[0]!.path).toBe(
      "amount",
    );
    expect(validationError(() => formatAmount(1n, "usd")).issues[0]!.path).toBe("asset");
    expect(
      validationError(() => formatAmount(1n, "USD/2", { locale: "not a locale!" })).issues[0]!.path,
    ).toBe("options.locale");
  });
});

describe("parseAmount", () => {
  it("reads a decimal number as minor units", () => {
    expect(parseAmount("1234.56", "USD/2")).toBe(123456n);
    expect(parseAmount("1234.5", "USD/2")).toBe(123450n);
    expect(parseAmount("1234", "USD/2")).toBe(123400n);
    expect(parseAmount("0.05", "USD/2")).toBe(5n);
    expect(parseAmount("-0.05", "USD/2")).toBe(-5n);
    expect(parseAmount("+3", "JPY")).toBe(3n);
    expect(parseAmount(" 12.34 ", "USD/2")).toBe(1234n);
    expect(parseAmount("0.000000000000000001", "ETH/18")).toBe(1n);
  });

  it("round-trips with formatAmount", () => {
    for (const minor of [0n, 1n, -1n, 99n, 100n, 2n ** 64n + 1n, -(2n ** 200n)]) {
      for (const asset of ["USD/2", "ETH/18", "JPY", "X/6"]) {
        expect(parseAmount(formatAmount(minor, asset), asset)).toBe(minor);
        expect(parseAmount(formatAmount(minor, asset, { locale: "de-DE" }), asset, { locale: "de-DE" })).toBe(
          minor,
        );
        expect(parseAmount(formatAmount(minor, asset, { locale: "fr-FR" }), asset, { locale: "fr-FR" })).toBe(
          minor,
        );
      }
    }
  });

  it("reads a locale's separators when asked", () => {
    expect(parseAmount("1.234,56", "EUR/2", { locale: "de-DE" })).toBe(123456n);
    expect(parseAmount("1,234.56", "USD/2", { locale: "en-US" })).toBe(123456n);
    expect(parseAmount("1 234,56", "EUR/2", { locale: "fr-FR" })).toBe(123456n); // a plain space for U+202F
  });

  it("refuses too many decimals, saying how many the asset takes", () => {
    const error = validationError(() => parseAmount("1.234", "USD/2"));
    expect(error.issues).toEqual([
      { path: "amount", message: 'Expected at most 2 decimals for USD/2, got 3 in "1.234"' },
    ]);
    expect(validationError(() => parseAmount("1.5", "JPY")).message).toContain("at most 0 decimals");
  });

  it.each(["", "abc", "1,234.56", "1.2.3", "--1", "1e3", "0x10", ".5", "5.", "Infinity", "1 234"])(
    "refuses the malformed number %j",
    (text) => {
      const error = validationError(() => parseAmount(text, "USD/2"));
      expect(error.issues[0]!.path).toBe("amount");
      expect(error.message).toContain(`got ${JSON.stringify(text)}`);
    },
  );

  it("refuses a malformed asset before reading the number", () => {
    expect(validationError(() => parseAmount("1", "usd/2")).issues[0]!.path).toBe("asset");
  });
});
