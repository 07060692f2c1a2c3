import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../worker/db/client";
import worker from "../../worker/index";
import { rollChunk, rollUp } from "../../worker/services/retention/run";
import { call, expectError, json, newTenant, sql } from "./support/harness";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
type Row = { ts: number; cpu: number; memory: number | null; rss: number };

/**
 * `days` of samples every 2 minutes, each 40 s into its minute, ending near `end` (rounded to a
 * whole minute so no sample or bucket sits within 10 s of a retention cutoff, whenever the cron
 * runs in the next half minute). Stored directly: the report path caps how much one call carries.
 */
async function backfill(hostId: string, days: number, newestFirst = false) {
  const end = Math.round(Date.now() / MIN) * MIN;
  const rows: Row[] = [];
  for (let k = (days * DAY) / (2 * MIN) - 1; k >= 0; k--) {
    const ts = end - k * 2 * MIN - 40_000;
    rows.push({
      ts,
      cpu: (k * 7) % 100,
      memory: k % 5 === 0 ? null : (k * 3) % 90,
      rss: 1000 + ((k * 13) % 500),
    });
  }
  const stored = newestFirst ? [...rows].reverse() : rows;
  for (let i = 0; i < stored.length; i += 500) {
    const chunk = stored.slice(i, i + 500).map((r) => [r.ts, r.cpu, r.memory, { "svc.rss": r.rss }]);
    await sql(
      `INSERT INTO metric_samples (host_id, ts, cpu, memory, extra)
       SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]') FROM json_each(?)`,
      hostId,
      JSON.stringify(chunk),
    );
  }
  return rows;
}

const stat = (xs: number[]) => ({
  avg: xs.reduce((a, b) => a + b, 0) / xs.length,
  min: Math.min(...xs),
  max: Math.max(...xs),
});
const count = async (table: string, hostId: string) =>
  Number((await sql(`SELECT count(*) AS n FROM ${table} WHERE host_id = ?`, hostId))[0].n);
const runCron = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);

describe("retention: rollups and bounded storage", () => {
  it("rolls days of samples into minute and hour buckets equal to the raw data, then drops what is past retention", async () => {
    const t = await newTenant();
    await t.config({ retention: { raw_days: 1, minute_days: 2 } });
    const { hostId } = await t.enroll();
    const rows = await backfill(hostId, 3);
    expect(await count("metric_samples", hostId)).toBe(2160);

    await runCron();

    // 1 day of raw samples (one every 2 min), 2 days of minute buckets, every hour kept.
    expect(await count("metric_samples", hostId)).toBe(720);
    expect(await count("metric_rollups_1m", hostId)).toBe(1440);
    const byHour = new Map<number, Row[]>();
    for (const r of rows) {
      const hour = Math.floor(r.ts / HOUR) * HOUR;
      byHour.set(hour, [...(byHour.get(hour) ?? []), r]);
    }
    const hours = await sql("SELECT * FROM metric_rollups_1h WHERE host_id = ? ORDER BY bucket", hostId);
    expect(hours.map((h) => h.bucket)).toEqual([...byHour.keys()]);
    for (const h of hours) {
      const raw = byHour.get(Number(h.bucket)) as Row[];
      const cpu = stat(raw.map((r) => r.cpu));
      const memories = raw.flatMap((r) => (r.memory === null ? [] : [r.memory]));
      const rss = stat(raw.map((r) => r.rss));
      expect(h.n).toBe(raw.length);
      expect(h.cpu_avg as number).toBeCloseTo(cpu.avg, 9);
      expect([h.cpu_min, h.cpu_max]).toEqual([cpu.min, cpu.max]);
      expect(h.memory_n).toBe(memories.length);
      if (memories.length === 0)
        expect([h.memory_avg, h.memory_min, h.memory_max]).toEqual([null, null, null]);
      else {
        const memory = stat(memories);
        expect(h.memory_avg as number).toBeCloseTo(memory.avg, 9);
        expect([h.memory_min, h.memory_max]).toEqual([memory.min, memory.max]);
      }
      expect(h.disk_n).toBe(0);
      const extra = JSON.parse(h.extra as string)["svc.rss"];
      expect(extra.avg).toBeCloseTo(rss.avg, 9);
      expect([extra.min, extra.max, extra.n]).toEqual([rss.min, rss.max, raw.length]);
    }
  });

  it("changes nothing on a second run, and folds a late sample into the buckets it belongs to", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    const rows = await backfill(hostId, 0.25);
    await runCron();
    const snapshot = async () => ({
      minutes: await sql("SELECT * FROM metric_rollups_1m WHERE host_id = ? ORDER BY bucket", hostId),
      hours: await sql("SELECT * FROM metric_rollups_1h WHERE host_id = ? ORDER BY bucket", hostId),
    });
    const before = await snapshot();
    expect(before.minutes).toHaveLength(rows.length);
    await runCron();
    expect(await snapshot()).toEqual(before);

    // An agent's spool delivering an old sample late: same minute as rows[3], 10 s later.
    const late = rows[3].ts + 10_000;
    await sql("INSERT INTO metric_samples (host_id, ts, cpu) VALUES (?, ?, ?)", hostId, late, 200);
    await runCron();
    const [minute] = await sql(
      "SELECT n, cpu_avg, cpu_max FROM metric_rollups_1m WHERE host_id = ? AND bucket = ?",
      hostId,
      Math.floor(late / MIN) * MIN,
    );
    expect(minute).toEqual({ n: 2, cpu_avg: (rows[3].cpu + 200) / 2, cpu_max: 200 });
    const hour = Math.floor(late / HOUR) * HOUR;
    const inHour = rows.filter((r) => Math.floor(r.ts / HOUR) * HOUR === hour);
    const [h] = await sql(
      "SELECT n, cpu_max FROM metric_rollups_1h WHERE host_id = ? AND bucket = ?",
      hostId,
      hour,
    );
    expect(h).toEqual({ n: inHour.length + 1, cpu_max: 200 });
  });

  it("never counts a sample twice when two runs read the same watermark", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    const rows = await backfill(hostId, 0.5);
    const db = createDb(env.DB);
    const [mark] = await sql(
      "SELECT coalesce((SELECT rowid_upto FROM rollup_watermarks WHERE name = 'metric_samples'), 0) AS v",
    );
    const [top] = await sql("SELECT max(rowid) AS v FROM metric_samples");
    // The second run read the watermark before the first moved it: its batch must apply nothing.
    await rollChunk(db, Number(mark.v), Number(top.v), Date.now());
    await rollChunk(db, Number(mark.v), Number(top.v), Date.now());
    await rollUp(db, Date.now());
    const [total] = await sql("SELECT sum(n) AS n FROM metric_rollups_1h WHERE host_id = ?", hostId);
    expect(total.n).toBe(rows.length);
    expect(await count("metric_rollups_1m", hostId)).toBe(rows.length);
  });
});

describe("retention: a backlog bigger than one run", () => {
  it("is finished by the next run, and raw samples are deleted only once rolled up", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    // 23 days stored newest first: the oldest samples have the highest rowids, so one run's
    // budget (16 000 samples) leaves the oldest 560 unrolled although they are past retention.
    const rows = await backfill(hostId, 23, true);
    const rolled = async () =>
      Number((await sql("SELECT sum(n) AS n FROM metric_rollups_1h WHERE host_id = ?", hostId))[0].n);

    await runCron();
    expect(await rolled()).toBe(16_000);
    expect(await count("metric_samples", hostId)).toBe(1440 + 560);

    await runCron();
    expect(await rolled()).toBe(rows.length);
    // Two days of samples, plus the newest row of the table (the oldest sample here): SQLite would
    // give its rowid to the next insert, under the watermark, so it is never deleted.
    expect(await count("metric_samples", hostId)).toBe(1440 + 1);
  }, 120_000);
});

describe("retention: the series endpoint picks the resolution for the range", () => {
  it("serves raw for short ranges, 1-minute buckets for mid ones and 1-hour buckets for long ones", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    const rows = await backfill(hostId, 3);
    await runCron();
    type Series = {
      resolution: string;
      items: { ts: string; metrics: Record<string, number>; n?: number }[];
    };
    const get = (query: string) =>
      json<Series>(`/api/v1/hosts/${hostId}/samples?${query}`, { token: t.admin });
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const bucketOf = (r: Row) => Math.floor(r.ts / MIN) * MIN;

    const short = await get(`from=${ago(HOUR)}`);
    expect(short.resolution).toBe("raw");
    expect(short.items).toHaveLength(rows.filter((r) => r.ts >= now - HOUR).length);
    expect(short.items[0].n).toBeUndefined();

    const mid = await get(`from=${ago(DAY + 6 * HOUR)}&limit=5000`);
    expect(mid.resolution).toBe("minute");
    expect(mid.items).toHaveLength(rows.filter((r) => bucketOf(r) >= now - DAY - 6 * HOUR).length);
    const last = rows[rows.length - 1];
    expect(mid.items.at(-1)).toMatchObject({
      ts: new Date(bucketOf(last)).toISOString(),
      metrics: { cpu: last.cpu, "svc.rss": last.rss },
      n: 1,
    });

    const long = await get(`from=${ago(8 * DAY)}&limit=5000`);
    expect(long.resolution).toBe("hour");
    expect(long.items.reduce((a, i) => a + (i.n ?? 0), 0)).toBe(rows.length);

    // Past what raw samples are kept (2 days by default), even a short range reads buckets.
    const old = await get(`from=${ago(2.5 * DAY)}&to=${ago(2.5 * DAY - HOUR)}`);
    expect(old.resolution).toBe("minute");
    const inWindow = rows.filter(
      (r) => bucketOf(r) >= now - 2.5 * DAY && bucketOf(r) <= now - 2.5 * DAY + HOUR,
    );
    expect(old.items.map((i) => i.ts)).toEqual(inWindow.map((r) => new Date(bucketOf(r)).toISOString()));
    expect((await get(`from=${ago(HOUR)}&resolution=hour`)).resolution).toBe("hour");
    expect((await get("limit=5")).resolution).toBe("raw");
  });

  it("refuses retention that is out of range or keeps coarser data for less time than finer", async () => {
    const t = await newTenant();
    for (const retention of [
      { raw_days: 0 },
      { raw_days: 10, minute_days: 5 },
      { hour_days: 7 },
      { keep: 1 },
    ]) {
      const res = await call("/api/healing/config", { token: t.admin, body: { retention } });
      await expectError(res, 400, "BAD_REQUEST");
    }
    const saved = await t.config({ retention: { raw_days: 3, minute_days: 30 } });
    expect(saved.retention).toEqual({ raw_days: 3, minute_days: 30 });
  });
});
