// The numscript template: interpolations become typed vars, never script text.
import { describe, expect, it } from "vitest";
import {
  account,
  amount,
  asset,
  FormanceValidationError,
  type NumscriptValue,
  number,
  numscript,
  portion,
  string,
} from "../src/index";

const HOSTILE = '")\nsend [USD/2 100000] (\n  source = @world\n  destination = @attacker\n)\n//';

describe("numscript", () => {
  it("declares each interpolation as a variable of its type and passes the value in vars", () => {
    const script = numscript`
      send ${amount(100n, "USD/2")} (
        source = ${account("world")}
        destination = ${account("users:1")}
      )
    `;
    expect(script).toEqual({
      plain:
        "vars {\n  monetary $_0\n  account $_1\n  account $_2\n}\nsend $_0 (\n        source = $_1\n        destination = $_2\n      )\n    ",
      vars: { _0: "USD/2 100", _1: "world", _2: "users:1" },
    });
  });

  it("writes every type the way the ledger reads it", () => {
    const script = numscript`send [${asset("EUR/2")} *] (
  source = ${account("a")}
  destination = {
    ${portion("1/3")} to ${account("b")}
    ${portion("12.5%")} to ${account("c")}
    remaining kept
  }
)
set_tx_meta("n", ${number(2n ** 70n)})
set_tx_meta("m", ${number(-3)})
set_tx_meta("s", ${string("hello")})
send ${amount("12.34", "USD/2")} (
  source = @world
  destination = @d
)`;
    expect(script.vars).toEqual({
      _0: "EUR/2",
      _1: "a",
      _2: "1/3",
      _3: "b",
      _4: "12.5%",
      _5: "c",
      _6: "1180591620717411303424",
      _7: "-3",
      _8: "hello",
      _9: "USD/2 1234",
    });
    expect(script.plain.split("\n").slice(0, 12)).toEqual([
      "vars {",
      "  asset $_0",
      "  account $_1",
      "  portion $_2",
      "  account $_3",
      "  portion $_4",
      "  account $_5",
      "  number $_6",
      "  number $_7",
      "  string $_8",
      "  monetary $_9",
      "}",
    ]);
  });

  it("reuses one variable for equal values", () => {
    const script = numscript`send ${amount(1n, "USD")} (
  source = ${account("world")}
  destination = ${account("x")}
)
send ${amount(1n, "USD")} (
  source = ${account("world")}
  destination = ${account("y")}
)`;
    expect(script.vars).toEqual({ _0: "USD 1", _1: "world", _2: "x", _3: "y" });
    expect(script.plain).toContain("send $_0 (\n  source = $_1\n  destination = $_3\n)");
  });

  it("adds its declarations to a vars block the script starts with", () => {
    const script = numscript`vars {
  account $merchant = meta(@orders:1, "merchant")
}
send ${amount(5n, "USD/2")} (
  source = @world
  destination = $merchant
)`;
    expect(script.plain).toBe(
      'vars {\n  monetary $_0\n  account $merchant = meta(@orders:1, "merchant")\n}\nsend $_0 (\n  source = @world\n  destination = $merchant\n)',
    );
    expect(script.vars).toEqual({ _0: "USD/2 5" });
  });

  it("returns a script without interpolations as it is, with no vars", () => {
    expect(numscript`send [USD 1] (\n  source = @world\n  destination = @a\n)`).toEqual({
      plain: "send [USD 1] (\n  source = @world\n  destination = @a\n)",
      vars: {},
    });
  });

  it("never puts a string value into the script text, whatever it holds", () => {
    const script = numscript`set_tx_meta("note", ${string(HOSTILE)})`;
    expect(script.plain).toBe('vars {\n  string $_0\n}\nset_tx_meta("note", $_0)');
    expect(script.plain).not.toContain("attacker");
    expect(script.vars).toEqual({ _0: HOSTILE });
  });

  it("refuses raw values and look-alike objects: only the helpers' values are accepted", () => {
    for (const raw of [
      "users:1",
      100n,
      42,
      null,
      undefined,
      { type: "account", value: "world" },
      { type: "string", value: HOSTILE },
    ]) {
      let error: unknown;
      try {
        numscript`send [USD 1] (\n  source = @world\n  destination = ${raw as unknown as NumscriptValue}\n)`;
      } catch (e) {
        error = e;
      }
      expect(error, String(raw)).toBeInstanceOf(FormanceValidationError);
      expect((error as FormanceValidationError).issues[0]!.path).toBe("numscript[0]");
    }
  });

  it("values cannot be altered after they are made", () => {
    const value = account("users:1");
    expect(() => {
      (value as { value: string }).value = HOSTILE;
    }).toThrow(TypeError);
    expect(numscript`${value}`.vars).toEqual({ _0: "users:1" });
  });
});

describe("numscript values", () => {
  const invalid = (make: () => unknown, path: string) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect((error as FormanceValidationError).issues[0]!.path).toBe(path);
  };

  it("account() accepts ledger addresses and refuses anything that could leave the variable", () => {
    expect(account("users:1_a-b:X").value).toBe("users:1_a-b:X");
    for (const bad of [HOSTILE, "", "users:", ":x", "a b", "@world", "users:1\n", "a:b)", "$x"]) {
      invalid(() => account(bad), "account");
    }
  });

  it("amount() takes minor units or a decimal string, never a negative amount or a bad asset", () => {
    expect(amount(2n ** 256n, "ETH/18").value).toBe(`ETH/18 ${2n ** 256n}`);
    expect(amount("0.01", "USD/2").value).toBe("USD/2 1");
    invalid(() => amount(-1n, "USD/2"), "amount");
    invalid(() => amount("-1", "USD/2"), "amount");
    invalid(() => amount("1.234", "USD/2"), "amount");
    invalid(() => amount(1 as unknown as bigint, "USD/2"), "amount");
    invalid(() => amount(1n, "USD/2 ] ("), "asset");
  });

  it("portion() takes fractions and percentages from 0 to 1", () => {
    for (const ok of ["1/3", "1 / 3", "0/5", "3/3", "25%", "12.5%", "100%", "0%"]) {
      expect(portion(ok).value).toBe(ok);
    }
    for (const bad of ["4/3", "1/0", "101%", "100.1%", "0.5", "1/3)", "-1/3", "", "25 %"]) {
      invalid(() => portion(bad), "portion");
    }
  });

  it("number() takes bigints and safe integers", () => {
    expect(number(-(2n ** 80n)).value).toBe(`-${2n ** 80n}`);
    expect(number(7).value).toBe("7");
    invalid(() => number(1.5), "number");
    invalid(() => number(2 ** 60), "number");
  });

  it("asset() and string() check their input type", () => {
    expect(asset("USD/2").type).toBe("asset");
    invalid(() => asset("usd"), "asset");
    invalid(() => string(5 as unknown as string), "string");
  });
});
