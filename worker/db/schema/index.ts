/**
 * The D1 schema, one file per area. Times are epoch milliseconds (integers); JSON columns hold
 * plain data. Every table a tenant can reach carries org_id, directly or through its host.
 */
export * from "./accounts";
export * from "./audit";
export * from "./edge";
export * from "./fleet-incidents";
export * from "./hosts";
export * from "./issues";
export * from "./noise";
export * from "./notifications";
export * from "./oidc";
export * from "./recovery";
export * from "./rollups";
export * from "./rules";
export * from "./sample-gaps";
export * from "./scope";
export * from "./tenancy";
export * from "./uptime";
