// The soak's fault proxy: agents talk to it, it forwards each request to the Worker and answers
// with the Worker's response, except for a fraction of agent requests whose response it drops
// (the connection is cut after the Worker has acted), and while the Worker is down it cuts the
// connection too. On the way it notes every sample ts an agent transmits, by token.
import { createServer, request, type Server } from "node:http";

export interface ProxyStats {
  requests: number;
  dropped: number;
  /** The Worker could not be reached (an edge restart). */
  refused: number;
  /** Distinct sample timestamps seen in report bodies, by bearer token. */
  transmitted: Map<string, Set<string>>;
}

export interface FaultProxy {
  url: string;
  stats: ProxyStats;
  close(): Promise<void>;
}

export async function startProxy(opts: {
  port: number;
  target: string;
  dropRate: number;
  random?: () => number;
}): Promise<FaultProxy> {
  const random = opts.random ?? Math.random;
  const stats: ProxyStats = { requests: 0, dropped: 0, refused: 0, transmitted: new Map() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const isAgent = (req.url ?? "").startsWith("/api/v1/agent/");
      if (req.method === "POST" && req.url === "/api/v1/agent/report")
        note(stats, req.headers.authorization, body);
      const headers = { ...req.headers };
      delete headers.host;
      const up = request(`${opts.target}${req.url}`, { method: req.method, headers }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on("data", (c: Buffer) => parts.push(c));
        upRes.on("end", () => {
          if (isAgent && random() < opts.dropRate) {
            stats.dropped++;
            req.socket.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(parts));
        });
        upRes.on("error", () => req.socket.destroy());
      });
      up.on("error", () => {
        stats.refused++;
        req.socket.destroy();
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function note(stats: ProxyStats, auth: string | undefined, body: Buffer) {
  try {
    const { samples } = JSON.parse(body.toString("utf8")) as { samples?: { ts: string }[] };
    const key = auth ?? "";
    const seen = stats.transmitted.get(key) ?? new Set<string>();
    stats.transmitted.set(key, seen);
    for (const s of samples ?? []) seen.add(s.ts);
  } catch {
    // not JSON: the Worker will refuse it, nothing was transmitted
  }
}
