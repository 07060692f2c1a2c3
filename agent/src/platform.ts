/**
 * What the agent can do off Linux, decided from a platform name so tests on Linux can ask for the
 * others. Linux is where the agent is built and tested end to end; macOS, Windows and the BSDs run
 * the same loop with their own collectors and service kinds, proven only against stand-ins.
 */

/** Config that cannot work on this platform: refused at load, with what to use instead. */
export function platformProblems(
  services: readonly { kind: string; match?: string }[],
  platform: NodeJS.Platform,
): string[] {
  const problems: string[] = [];
  services.forEach((s, i) => {
    // finding a process by command line needs ps (or /proc); Windows has neither, and a service
    // wrongly seen as down would be started a second time
    if (platform === "win32" && s.kind === "process" && s.match !== undefined)
      problems.push(
        `services[${i}].match: Windows has no ps to match command lines: use pidFile, or kind "windows" for a Windows service`,
      );
  });
  return problems;
}

/** Logged once at start off Linux. */
export function bestEffortNotice(platform: NodeJS.Platform): string | undefined {
  if (platform === "linux") return undefined;
  return `${platform} support is best-effort: the agent is tested end to end on Linux only; host metrics come from ${
    platform === "win32" ? "Node's os module and one PowerShell run a minute" : "systeminformation and ps"
  }`;
}
