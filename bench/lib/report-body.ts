// The report a simulated agent sends every interval (bench:ingest, bench:profile-report).
const r2 = (n: number) => Math.round(n * 100) / 100;

/** What the real agent sends every interval: its collectors' metrics, its services, its version. */
export function reportBody(i: number) {
  const wave = Math.sin(Date.now() / 60_000 + i);
  return JSON.stringify({
    protocol: 1,
    agentVersion: "0.1.0",
    reason: "interval",
    samples: [
      {
        ts: new Date().toISOString(),
        metrics: {
          cpu: r2(20 + 10 * wave),
          memory: r2(52 + wave),
          swap: 1.25,
          disk: 61.4,
          "disk:/": 61.4,
          "disk:/var": 40.02,
          load1: r2(0.8 + wave / 10),
          load5: 0.7,
          load15: 0.6,
          "net.rx": Math.round(12000 + 1000 * wave),
          "net.tx": 9000,
          "svc:web.cpu": r2(3 + wave),
          "svc:web.rss": 120_000_000 + i,
          "svc:db.cpu": 2.5,
          "svc:db.rss": 400_000_000 + i,
        },
      },
    ],
    services: [
      { name: "web", kind: "process", status: "up", pid: 1000 + i },
      { name: "db", kind: "systemd", status: "up" },
      { name: "cache", kind: "docker", status: "up" },
    ],
    results: [],
  });
}
