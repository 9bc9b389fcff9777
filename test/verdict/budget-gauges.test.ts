// A budget's gauge names are checked against the gauges the server has: a typo is a usage error.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { budgetFor, checkBudgetGauges } from "../../src/verdict/budget.js";

const found = ["players", "rooms"];

describe("checkBudgetGauges", () => {
  it("accepts `*` and names the server has, per scenario too", () => {
    expect(() => checkBudgetGauges(budgetFor("x", undefined), found)).not.toThrow();
    expect(() => checkBudgetGauges(budgetFor("x", { gauges: { "*": 1, players: 2 }, scenarios: { x: { gauges: { rooms: 1 } } } }), found)).not.toThrow();
  });

  it("refuses a name the server does not have, with did-you-mean", () => {
    const check = () => checkBudgetGauges(budgetFor("x", { scenarios: { x: { gauges: { player: 0, zzz: 1 } } } }), found);
    expect(check).toThrow(UsageError);
    expect(check).toThrow(/^the budget names gauges "player" \(did you mean "players"\?\), "zzz" that the server does not have \(it has: players, rooms\)/);
  });
});
