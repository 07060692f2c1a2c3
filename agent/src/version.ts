/** Kept equal to agent/package.json "version" (a test checks it), so the bundle needs no JSON import. */
export const AGENT_VERSION = "0.1.0";
