/**
 * Days until each configured endpoint's certificate expires, as `tls:<name>.days`. Checked once
 * an hour (certificates change rarely); the last reading is repeated in every sample in between.
 * An endpoint that cannot be reached is left out of the sample (its rule then holds its state).
 */
import { tlsModule as loadTls } from "../builtins";
import type { TlsEndpoint } from "../config/tls";
import type { Collector, Metrics } from "./types";

const DAY_MS = 86_400_000;
export const TLS_EVERY_MS = 60 * 60_000;

/** The certificate's notAfter, read without verifying the chain: an expired or self-signed one still has a date. */
export function certificateExpiry(url: string, timeoutMs: number): Promise<number> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = loadTls().connect({
      host,
      port: Number(port || 443),
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      const notAfter = Date.parse(cert?.valid_to ?? "");
      if (Number.isNaN(notAfter)) reject(new Error(`${url}: no certificate expiry`));
      else resolve(notAfter);
    });
    socket.once("timeout", () => fail(new Error(`${url}: no TLS handshake within ${timeoutMs} ms`)));
    socket.once("error", fail);
  });
}

export function tlsCollector(
  endpoints: TlsEndpoint[],
  now: () => number = Date.now,
  everyMs = TLS_EVERY_MS,
): Collector {
  return {
    name: "tls",
    everyMs,
    async collect(): Promise<Metrics> {
      const results = await Promise.allSettled(endpoints.map((e) => certificateExpiry(e.url, e.timeoutMs)));
      const metrics: Metrics = {};
      results.forEach((r, i) => {
        if (r.status === "fulfilled")
          metrics[`tls:${endpoints[i].name}.days`] = Math.round(((r.value - now()) / DAY_MS) * 10) / 10;
      });
      const failed = results.find((r) => r.status === "rejected");
      // Every endpoint failing is worth one warning in the log (the collector guard logs throws once).
      if (failed && Object.keys(metrics).length === 0) throw (failed as PromiseRejectedResult).reason;
      return metrics;
    },
  };
}
