#!/usr/bin/env node
// Run by `npm test` (and .ci/run) before anything else: the Debian packages the tests use for real.
// chromium drives the browser tests (through playwright-core; never a downloaded browser),
// monitoring-plugins-basic holds the Nagios plugins the custom checks run, and systemd provides
// systemd-analyze, which verifies the agent's unit file. Missing ones are installed with apt-get
// as root or through `sudo -n`; where that cannot be done it stops with the command to run, so
// no test is ever skipped for want of a package. Plain JavaScript: it runs before the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const SYSTEM_PACKAGES = [
  { pkg: "chromium", file: "/usr/bin/chromium" },
  { pkg: "monitoring-plugins-basic", file: "/usr/lib/nagios/plugins/check_disk" },
  { pkg: "systemd", file: "/usr/bin/systemd-analyze" },
];

const missing = () => SYSTEM_PACKAGES.filter((p) => !existsSync(p.file)).map((p) => p.pkg);

/** @returns {never} */
function fail(pkgs) {
  console.error(
    `[selfheal] the tests need the Debian packages ${pkgs.join(" ")}: run \`sudo apt-get update && sudo apt-get install -y ${pkgs.join(" ")}\`, then npm test again`,
  );
  process.exit(1);
}

const ok = (cmd, args) =>
  spawnSync(cmd, args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status === 0;

const need = missing();
if (need.length) {
  const hasApt = process.platform === "linux" && existsSync("/usr/bin/apt-get");
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : hasApt && ok("sudo", ["-n", "true"]) ? ["sudo", "-n"] : undefined;
  if (!hasApt || !prefix) fail(need);
  console.log(`[selfheal] installing the Debian packages the tests need: ${need.join(" ")}`);
  const apt = (...args) => {
    const [cmd, ...rest] = [...prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args];
    return ok(cmd, rest);
  };
  if (!apt("update", "-qq") || !apt("install", "-y", "-qq", ...need)) fail(need);
  const still = missing();
  if (still.length) fail(still);
}
