// The library entry: what a scenario file imports, and the core for driving leakcheck from code.

export { defineScenario } from "./scenario/define.js";
export type { ScenarioDefinition, SessionContext, ScenarioDefaults, ConnectOptions } from "./scenario/define.js";
export type { InterviewClient, NetworkFault } from "./load/interview-client.js";
export { ProtocolError } from "./load/interview-client.js";
export type { Rng } from "./load/rng.js";
export * from "./protocol.js";
