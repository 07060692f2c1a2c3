import { afterEach, describe, expect, it } from "vitest";
import { capabilitiesSchema, reportRequestSchema } from "../../agent/protocol";
import { capabilitiesOf } from "../../agent/src/capabilities";
import { parseConfig } from "../../agent/src/config/schema";
import { ApiClient } from "../../agent/src/transport/client";
import { Uplink } from "../../agent/src/transport/uplink";
import { apiError, fakeServer, reportOk } from "./support/fake-server";
import { cleanup, onCleanup, quietLog } from "./support/helpers";

afterEach(cleanup);

const config = parseConfig({
  services: [
    { name: "web", kind: "systemd", unit: "web.service" },
    { name: "db", kind: "systemd", unit: "postgresql.service" },
  ],
  actions: { restart_service: { services: ["web"] }, clear_cache: true, lockdown: false },
  caches: [{ name: "thumbs", path: "/var/cache/thumbs" }],
  scripts: { rotate: { command: ["logrotate", "/etc/logrotate.conf"] } },
});

describe("what the agent tells the edge it can do", () => {
  it("lists the enabled actions, service limits and configured names, and nothing else", () => {
    const caps = capabilitiesOf(config);
    expect(caps).toEqual({
      actions: ["restart_service", "clear_cache", "health_check"],
      limits: { restart_service: ["web"] },
      services: ["web", "db"],
      caches: ["thumbs"],
      configs: [],
      scripts: ["rotate"],
    });
    expect(capabilitiesSchema.safeParse(caps).success).toBe(true);
  });

  it("sends them until a report carrying them is taken, then leaves them out", async () => {
    let fail = true;
    const server = await fakeServer(() => (fail ? apiError(503, "INTERNAL", "busy") : reportOk()));
    const client = new ApiClient({ server: server.url });
    onCleanup(() => client.close());
    const uplink = new Uplink({
      client,
      token: "agent-token",
      log: quietLog,
      intervalMs: () => 10_000,
      random: () => 1,
      capabilities: capabilitiesOf(config),
    });
    expect((await uplink.send("interval", [])).ok).toBe(false);
    fail = false;
    expect((await uplink.send("backfill", [])).ok).toBe(true);
    expect((await uplink.send("interval", [])).ok).toBe(true);
    const sent = server.seen.map((r) => r.body.capabilities);
    expect(sent).toEqual([capabilitiesOf(config), capabilitiesOf(config), undefined]);
    for (const r of server.seen) expect(reportRequestSchema.safeParse(r.body).success).toBe(true);
  });
});
