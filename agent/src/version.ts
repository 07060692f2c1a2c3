/** The agent's version, from agent/package.json alone (the bundle inlines just this field). */
import { version } from "../package.json";

export const AGENT_VERSION: string = version;
