// A retainer path as one line, from its steps: scopes told with the variable they hold,
// an emitter's listeners counted, the runtime's bookkeeping as one labelled step.

import { describe, expect, it } from "vitest";
import type { RetainerStep } from "../../src/heap/model.js";
import { pathText, pathTokens } from "../../src/heap/path-text.js";

describe("pathText", () => {
  it("names a module-level variable as the module's, with its declaration", () => {
    const steps: RetainerStep[] = [
      { node: "(module)", edge: "users", location: "app.js:14" },
      { node: "Map", edge: "[entry]" },
      { node: "Object { id, name }", edge: "" },
    ];
    expect(pathText(steps)).toBe("users (Map, module app.js:14) → [entry] (Object { id, name })");
  });

  it("tells a function's scope by its closure", () => {
    const steps: RetainerStep[] = [
      { node: "(context)", edge: "store", label: "createApp", location: "src/app.ts:20" },
      { node: "SessionStore", edge: "active" },
      { node: "Map", edge: "" },
    ];
    expect(pathText(steps)).toBe("store (SessionStore, in createApp at src/app.ts:20) → active (Map)");
  });

  it("counts an emitter's listeners and names the listener by its code", () => {
    const steps: RetainerStep[] = [
      { node: "(module)", edge: "questionBank", location: "src/server/questions.ts:51" },
      { node: "QuestionBank", edge: "_events" },
      { node: "(listeners)", edge: "[329]", label: '"updated" listeners (800)' },
      { node: "(closure) listener", edge: "", location: "src/server/handlers.ts:62" },
    ];
    expect(pathText(steps)).toBe('questionBank (QuestionBank, module src/server/questions.ts:51) → "updated" listeners (800) → listener at src/server/handlers.ts:62');
  });

  it("folds the runtime's bookkeeping into one labelled step, and a long path starts with …", () => {
    expect(pathTokens([{ node: "(runtime)", edge: "_onTimeout", label: "timer lists" }, { node: "(closure)", edge: "", location: "a.js:3" }])).toEqual([
      "(timer lists)",
      "_onTimeout ((closure) at a.js:3)",
    ]);
    expect(pathText([{ node: "…", edge: "" }, { node: "Map", edge: "[entry]" }, { node: "Timeout", edge: "" }])).toBe("… → Map → [entry] (Timeout)");
  });
});
