/**
 * Local stand-ins for PagerDuty, Slack and a webhook consumer on 127.0.0.1. Each checks the exact
 * wire format of every request it gets (PagerDuty against its official OpenAPI schema, Slack
 * against the block limits, webhooks by recomputing the HMAC) and answers as the real one does.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { enqueueSchema, pagerDutyLimits, slackProblems, validate } from "../../support/openapi-validate";

export const PD_DOC = JSON.parse(
  readFileSync(new URL("../../contracts/pagerduty-events-v2.openapi.json", import.meta.url), "utf8"),
);

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  problems: string[];
}

export function webhookSignatureProblems(
  secret: string,
  headers: IncomingHttpHeaders,
  raw: string,
): string[] {
  const ts = String(headers["x-selfheal-timestamp"] ?? "");
  const sig = String(headers["x-selfheal-signature"] ?? "");
  if (!/^\d+$/.test(ts)) return ["x-selfheal-timestamp: missing"];
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return ["x-selfheal-timestamp: older than 5 minutes"];
  const expected = `v1=${createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex")}`;
  const ok = sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
  return ok ? [] : ["x-selfheal-signature: does not verify"];
}

function problemsOf(path: string, headers: IncomingHttpHeaders, raw: string, secret: string): string[] {
  if (headers["content-type"] !== "application/json") return [`content-type ${headers["content-type"]}`];
  let body: any;
  try {
    body = JSON.parse(raw);
  } catch {
    return ["not JSON"];
  }
  if (path === "/v2/enqueue")
    return [...validate(PD_DOC, enqueueSchema(PD_DOC), body), ...pagerDutyLimits(body)];
  if (path === "/slack") return slackProblems(body);
  if (path === "/hook") return webhookSignatureProblems(secret, headers, raw);
  return [`unknown path ${path}`];
}

/** Starts on `port` (which may have refused connections until now). `status` overrides answers. */
export function startReceiver(
  port: number,
  secret: string,
  status: (r: Received) => number | null = () => null,
) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const path = req.url ?? "";
      const problems = problemsOf(path, req.headers, raw, secret);
      const r: Received = {
        path,
        headers: req.headers,
        raw,
        body: problems.includes("not JSON") ? null : JSON.parse(raw),
        problems,
      };
      const forced = status(r);
      if (forced) {
        res.writeHead(forced, { "retry-after": "1" }).end("busy");
        return;
      }
      received.push(r);
      if (path === "/v2/enqueue") {
        const code = problems.length ? 400 : 202;
        const answer = problems.length
          ? { status: "invalid event", message: "Event object is invalid", errors: problems }
          : { status: "success", message: "Event processed", dedup_key: r.body.dedup_key };
        res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(answer));
      } else if (path === "/slack") {
        res.writeHead(problems.length ? 400 : 200).end(problems.length ? "invalid_payload" : "ok");
      } else {
        res.writeHead(problems.length ? 401 : 204).end();
      }
    });
  });
  return new Promise<{ received: Received[]; close: () => Promise<void> }>((resolve) => {
    server.listen(port, "127.0.0.1", () =>
      resolve({ received, close: () => new Promise<void>((r) => server.close(() => r())) }),
    );
  });
}
