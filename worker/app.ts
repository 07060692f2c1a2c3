/**
 * The API: one OpenAPIHono app, one sub-app per resource, one error path.
 * Order per request: request id + security headers → database handle → same-origin check for
 * cookie writes → auth-failure limit → credentials → rate limit → body size → route
 * (scope check → validation → handler → service).
 */
import { createMiddleware } from "hono/factory";
import { createDb } from "./db/client";
import type { AppEnv } from "./env";
import { allowedMethods } from "./lib/allowed-methods";
import { ApiError, errorBody, handleError } from "./lib/errors";
import { newId } from "./lib/ids";
import { newRouter } from "./lib/openapi";
import { authenticate, readers } from "./middleware/auth";
import { authFailureLimit } from "./middleware/auth-failures";
import { bodyLimits, rateLimit } from "./middleware/limits";
import { tellHostObjects } from "./middleware/org-changed";
import { sameOriginWrites } from "./middleware/same-origin";
import { securityHeaders } from "./middleware/security-headers";
import { tellDashboards } from "./middleware/tell-dashboards";
import { acknowledgeRoutes } from "./routes/acknowledge";
import { actionWebhookRoutes } from "./routes/action-webhooks";
import { adaptiveRoutes } from "./routes/adaptive";
import { agentRoutes } from "./routes/agent";
import { agentCommandRoutes } from "./routes/agent-commands";
import { apiDocsPage, docsHeaders } from "./routes/api-docs";
import { auditRoutes } from "./routes/audit";
import { channelRoutes } from "./routes/channels";
import { commandRoutes } from "./routes/commands";
import { configRoutes } from "./routes/config";
import { edgeCheckRoutes } from "./routes/edge-checks";
import { eventRoutes } from "./routes/events";
import { gateRoutes } from "./routes/gate";
import { guardrailResetRoutes } from "./routes/guardrail-reset";
import { healthRoutes, VERSION } from "./routes/health";
import { hostActionRoutes } from "./routes/host-actions";
import { hostGapRoutes } from "./routes/host-gaps";
import { hostRoutes } from "./routes/hosts";
import { incidentRoutes } from "./routes/incidents";
import { invitationRoutes } from "./routes/invitations";
import { issueRoutes } from "./routes/issues";
import { learningRoutes } from "./routes/learning";
import { maintenanceRoutes } from "./routes/maintenance";
import { meRoutes } from "./routes/me";
import { metricsRoutes } from "./routes/metrics";
import { noiseRoutes } from "./routes/noise";
import { orgRoutes } from "./routes/orgs";
import { passkeyRoutes } from "./routes/passkeys";
import { prometheusRoutes } from "./routes/prometheus";
import { recoverRoutes } from "./routes/recover";
import { ruleRoutes } from "./routes/rules";
import { scopeRoutes } from "./routes/scopes";
import { sessionRoutes } from "./routes/session";
import { oidcSessionRoutes } from "./routes/session-oidc";
import { statusRoutes } from "./routes/status";
import { tokenRoutes } from "./routes/tokens";
import { userRoutes } from "./routes/users";

const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const id = newId("req");
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  if (c.req.path.startsWith("/api/")) {
    c.header("Cache-Control", "no-store");
    c.set("db", createDb(c.env.DB));
  }
  await next();
});

/** What /api/openapi.json says besides its routes (tests build the same document from it). */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "selfheal API",
    version: VERSION,
    description: "Self-healing engine for servers: the edge API.",
  },
  security: [{ bearer: [] }],
};

export function createApp() {
  const app = newRouter();
  app.use("*", requestContext);
  app.use("*", securityHeaders);
  app.use("/api/*", sameOriginWrites);
  app.use("/api/*", authFailureLimit);
  app.use("/metrics", authFailureLimit);
  app.use("/api/*", authenticate);
  // Per-token rate limits, then 256 KB for agent reports and 64 KB for other bodies.
  app.use("/api/*", rateLimit);
  app.use("/api/*", bodyLimits);
  // Open dashboards hear of every successful write (middleware/tell-dashboards.ts).
  app.use("/api/*", tellDashboards);
  // The host objects keep the org's config and rules: an edit tells them (org-changed.ts).
  app.use("/api/healing/config", tellHostObjects());
  app.use("/api/v1/rules/*", tellHostObjects(/\/backtest$/));
  app.use("/api/v1/rules", tellHostObjects());
  app.use("/api/v1/scopes/*", tellHostObjects());

  // One chain, so the returned app's type carries every route (AppType, for the typed client).
  const api = app
    .route("/api/health", healthRoutes)
    .route("/api/v1/session/oidc", oidcSessionRoutes)
    .route("/api/v1/session", sessionRoutes)
    .route("/api/v1/me", meRoutes)
    .route("/api/v1/passkeys", passkeyRoutes)
    .route("/api/v1/users", userRoutes)
    .route("/api/v1/invitations", invitationRoutes)
    .route("/api/v1/events", eventRoutes)
    .route("/api/v1/tokens", tokenRoutes)
    .route("/api/v1/orgs", orgRoutes)
    .route("/api/v1/audit", auditRoutes)
    .route("/api/v1/agent", agentRoutes)
    .route("/api/v1/agent", agentCommandRoutes)
    .route("/api/v1/hosts", hostRoutes)
    .route("/api/v1/rules", ruleRoutes)
    .route("/api/v1", scopeRoutes)
    .route("/api/v1", channelRoutes)
    .route("/api/v1", gateRoutes)
    .route("/api/v1/edge-checks", edgeCheckRoutes)
    // Recovery guardrails, approvals and learning.
    .route("/api/v1/commands", commandRoutes)
    .route("/api/v1/maintenance", maintenanceRoutes)
    .route("/api/v1/learning", learningRoutes)
    .route("/api/v1/action-webhooks", actionWebhookRoutes)
    // Dashboard: acknowledge, host actions (emergency protocols).
    .route("/api/v1/issues", acknowledgeRoutes)
    .route("/api/v1/issues", guardrailResetRoutes)
    .route("/api/v1/incidents", incidentRoutes)
    .route("/api/v1/issues", noiseRoutes)
    .route("/api/v1/hosts", hostActionRoutes)
    .route("/api/v1/hosts", hostGapRoutes)
    .route("/api/v1/hosts", adaptiveRoutes)
    .route("/", prometheusRoutes)
    .route("/api/healing", statusRoutes)
    .route("/api/healing", recoverRoutes)
    .route("/api/healing", issueRoutes)
    .route("/api/healing", configRoutes)
    .route("/api/healing", metricsRoutes);

  app.use("/api/openapi.json", readers());
  app.doc31("/api/openapi.json", openApiDocument);
  app.get("/api/docs", docsHeaders, apiDocsPage);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  // Everything outside /api is the dashboard (when the assets binding is there).
  const methodsFor = allowedMethods(app.routes);
  app.all("*", (c) => {
    const { method, path } = c.req;
    if (!path.startsWith("/api/") && path !== "/api" && c.env.ASSETS) return c.env.ASSETS.fetch(c.req.raw);
    const allowed = methodsFor(path);
    if (allowed.length > 0) {
      c.header("Allow", allowed.join(", "));
      throw new ApiError(
        "METHOD_NOT_ALLOWED",
        `${method} is not allowed on ${path} (use ${allowed.join(", ")})`,
      );
    }
    throw new ApiError("NOT_FOUND", `no route for ${method} ${path}`);
  });
  app.notFound((c) =>
    c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404),
  );
  app.onError(handleError);
  return api;
}

/** The API's routes and their schemas, for `hc<AppType>` (web/src/api.ts). */
export type AppType = ReturnType<typeof createApp>;
