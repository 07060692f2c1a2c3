import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, waitFor } from "../../scripts/lib/lab.mjs";
import { webhookSignatureProblems } from "./support/receivers";

type Lab = Awaited<ReturnType<typeof startLab>>;
const SECRET = "e2e-action-secret-0123456789";

describe("a webhook: recovery action through wrangler dev, delivered to a real local receiver", () => {
  let lab: Lab;
  const received: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const receiver = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => {
      raw += d;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, raw });
      res.writeHead(202).end("scaled");
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    lab = await startLab({ services: 1, interval: 2, hostName: "edge-action-host" });
  });
  afterAll(async () => {
    await lab?.stop();
    receiver.close();
  });

  it("signs the call to a real receiver and records it as a succeeded attempt", async () => {
    const address = receiver.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await lab.call("PUT", "/api/v1/action-webhooks/scale", {
      url: `http://127.0.0.1:${port}/scale`,
      secret: SECRET,
    });
    await lab.call("PATCH", "/api/v1/rules/service_down", { actions: ["webhook:scale"] });
    // The rule now names only the webhook: the Worker calls it, the agent gets nothing.
    const svc = lab.services[0];
    process.kill(lab.pidOf(svc), "SIGKILL");

    const entry = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/recovery-history");
        return items.find(
          (h: { action: string; status: string }) => h.action === "webhook:scale" && h.status !== "pending",
        );
      },
      { timeoutMs: 45_000, intervalMs: 250, what: "the webhook attempt finished" },
    );
    expect(entry).toMatchObject({ status: "succeeded", output: "HTTP 202: scaled", trigger: "auto" });
    const call = received.find((r) => JSON.parse(r.raw).commandId === entry.commandId);
    expect(call).toBeDefined();
    expect(webhookSignatureProblems(SECRET, call?.headers ?? {}, call?.raw ?? "")).toEqual([]);
    expect(JSON.parse(call?.raw ?? "{}")).toMatchObject({
      action: "scale",
      host: "edge-action-host",
      target: svc.name,
    });
  });
});
