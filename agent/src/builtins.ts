/**
 * Node built-ins that only some agents need, loaded on first use. Each one loaded costs every
 * agent RSS whether it uses it or not (bench:agent): node:tls/https ~1.8 MB, node:crypto ~1.3 MB,
 * which an agent on plain http, without command signing or kept config files, never touches.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const httpsModule = (): typeof import("node:https") => require("node:https");
export const tlsModule = (): typeof import("node:tls") => require("node:tls");
export const cryptoModule = (): typeof import("node:crypto") => require("node:crypto");
