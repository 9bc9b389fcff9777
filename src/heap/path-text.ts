// A retainer path as one line: each object named by the edge that reaches it, scopes told
// with the variable they hold, `questionBank (QuestionBank, module src/server/questions.ts:51)
// → "updated" listeners (800) → listener at src/server/handlers.ts:62`.

import type { RetainerStep } from "./model.js";

/** The path's tokens, joined by " → " for one line (the HTML report styles them one by one). */
export function pathTokens(steps: RetainerStep[]): string[] {
  const tokens: string[] = [];
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index];
    const previous = steps[index - 1];
    const next = steps[index + 1];
    // A scope is shown through the variable it holds.
    if (step.node === "(context)" || step.node === "(module)") continue;
    if (step.node === "(listeners)") {
      tokens.push(step.label ?? "listeners");
      continue;
    }
    if (step.node === "(runtime)") {
      tokens.push(`(${step.label ?? "runtime"})`);
      continue;
    }
    // A closure whose scope comes next: its location is told with the variable.
    const located = step.location && next?.node !== "(context)" ? ` at ${step.location}` : "";
    const what = `${describe(step)}${located}`;
    if (!previous || previous.node === "…") tokens.push(what);
    else if (previous.node === "(context)") {
      const closure = previous.label ?? "a closure";
      tokens.push(`${previous.edge} (${what}, in ${closure}${previous.location ? ` at ${previous.location}` : ""})`);
    } else if (previous.node === "(module)") {
      // A module's function: its declaration is where it is.
      const held = step.node.startsWith("(closure)") && index === steps.length - 1 ? what : step.node.startsWith("(closure)") ? "function" : what;
      tokens.push(`${previous.edge} (${held}, module ${previous.location ?? "scope"})`);
    } else if (previous.node === "(listeners)" && step.node.startsWith("(closure)")) {
      const name = step.node.slice("(closure)".length).trim();
      tokens.push(`${name || "a listener"}${located}`);
    } else tokens.push(`${previous.edge} (${what})`);
  }
  return tokens;
}

/** The path as one line. */
export function pathText(steps: RetainerStep[]): string {
  return pathTokens(steps).join(" → ");
}

/** A step's object: the name users know it by (a label like "Socket.IO Socket") or its constructor. */
function describe(step: RetainerStep): string {
  return step.label ?? step.node;
}
