// What local workerd + wrangler dev's D1 can do at all (bench/ingest.ts --floor): a request that
// does nothing, one indexed SELECT, N sequential SELECT round trips, one batch of N SELECTs, and
// one write batch, run under the same load as the report path on the same local D1.
const json = (body, timing) =>
  new Response(body, {
    headers: { "content-type": "application/json", ...(timing ? { "server-timing": timing } : {}) },
  });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1);
    const id = url.searchParams.get("id") ?? "none";
    await request.arrayBuffer();
    const select = () => env.DB.prepare("SELECT id, org_id, name FROM hosts WHERE id = ?").bind(id);
    const t0 = performance.now();
    if (url.pathname === "/noop") return json("{}");
    if (url.pathname === "/select") for (let i = 0; i < n; i++) await select().all();
    else if (url.pathname === "/batch") await env.DB.batch(Array.from({ length: n }, select));
    else if (url.pathname === "/write")
      await env.DB.batch([
        env.DB.prepare("INSERT OR REPLACE INTO metric_samples (host_id, ts, cpu) VALUES (?, ?, ?)").bind(
          id,
          Date.now(),
          Math.random(),
        ),
        env.DB.prepare("UPDATE hosts SET last_seen_at = ? WHERE id = ?").bind(Date.now(), id),
      ]);
    else return new Response("not found", { status: 404 });
    return json("{}", `d1;dur=${(performance.now() - t0).toFixed(2)}`);
  },
};
