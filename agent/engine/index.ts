/**
 * The diagnostic engine: pure functions shared by the Worker and the agent.
 * Data in, data out; time is an input.
 */
export * from "./types";
export { defaultRules, DEFAULT_THRESHOLDS } from "./defaults";
export { evaluate, emptyState } from "./evaluate";
export { healthScore, healthStatus } from "./health";
export { nextRecoveryStep } from "./recovery";
