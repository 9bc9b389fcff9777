// The library entry: what a scenario file imports, and the core for driving leakcheck from code.

export { defineScenario } from "./scenario/define.js";
export type { ScenarioDefinition, SessionContext, RunContext, ScenarioDefaults, ConnectOptions } from "./scenario/define.js";
export type { Client, NetworkFault, SessionClient, VanishKind } from "./load/client.js";
export {
  AckTimeoutError,
  ClientClosedError,
  ConnectFailedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  LoadError,
  ProtocolError,
  SessionTimeoutError,
  WaitTimeoutError,
  type FailureKind,
} from "./load/failures.js";
export type { Rng } from "./load/rng.js";
export * from "./protocol.js";
