/**
 * Local stand-ins for PagerDuty, Slack, a webhook consumer, Resend, Teams Workflows, Discord,
 * Telegram and Opsgenie on 127.0.0.1. Each checks the exact wire format of every request it gets
 * (PagerDuty against its official OpenAPI schema, Slack against the block limits, webhooks by
 * recomputing the HMAC and with the standardwebhooks verifier, the rest against their documented
 * formats) and answers as the real one does.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import {
  discordProblems,
  opsgenieProblems,
  resendProblems,
  teamsProblems,
  telegramProblems,
} from "../../support/channel-wire";
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
  return [
    ...(ok ? [] : ["x-selfheal-signature: does not verify"]),
    ...standardProblems(secret, headers, raw),
  ];
}

/** Standard Webhooks, checked by the standardwebhooks library as any receiver would. */
function standardProblems(secret: string, headers: IncomingHttpHeaders, raw: string): string[] {
  const verifier = secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(secret, { format: "raw" });
  try {
    verifier.verify(raw, headers as Record<string, string>);
    return [];
  } catch (err) {
    return [`webhook-signature: ${(err as Error).message}`];
  }
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
  if (path.startsWith("/resend/")) return resendProblems(path.slice("/resend".length), headers, body);
  if (path === "/teams") return teamsProblems(body);
  if (path === "/discord") return discordProblems(body);
  if (path.startsWith("/tg/")) return telegramProblems(path.slice("/tg".length), body);
  if (path.startsWith("/og/")) return opsgenieProblems(path.slice("/og".length), headers, body);
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
      } else if (path !== "/hook") {
        answerLikeTheService(path, problems, res);
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

type Answer = [number, unknown];
const jsonAnswer = (res: ServerResponse, [code, body]: Answer) =>
  body === null
    ? res.writeHead(code).end()
    : res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));

let messageId = 0;
/** Each service's documented answer to a good request and to a bad one. */
function answerLikeTheService(path: string, problems: string[], res: ServerResponse) {
  const bad = problems.length > 0;
  const message = problems.join("; ");
  if (path.startsWith("/resend/"))
    return jsonAnswer(
      res,
      bad ? [422, { statusCode: 422, name: "validation_error", message }] : [200, { id: randomUUID() }],
    );
  if (path === "/teams")
    return jsonAnswer(res, bad ? [400, { error: { code: "InvalidRequestContent", message } }] : [202, null]);
  if (path === "/discord")
    return jsonAnswer(res, bad ? [400, { code: 50035, message: "Invalid Form Body" }] : [204, null]);
  if (path.startsWith("/tg/"))
    return jsonAnswer(
      res,
      bad
        ? [400, { ok: false, error_code: 400, description: `Bad Request: ${message}` }]
        : [200, { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000) } }],
    );
  if (path.startsWith("/og/"))
    return jsonAnswer(
      res,
      bad
        ? [422, { message, took: 0.001, requestId: randomUUID() }]
        : [202, { result: "Request will be processed", took: 0.1, requestId: randomUUID() }],
    );
  return jsonAnswer(res, [404, { message: "unknown path" }]);
}
