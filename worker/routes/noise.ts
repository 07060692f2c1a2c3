/** /api/v1/issues/{id}/noise: mark a finding as noise (its rule's bar rises on that host), or undo it. */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { operators, readers } from "../middleware/auth";
import { hostObject } from "../objects/host/stub";
import { NoiseBodySchema, NoiseSchema } from "../schemas/noise";
import { getNoise, markNoise, undoNoise } from "../services/issues/noise";

const tags = ["healing"];

const read = createRoute({
  method: "get",
  path: "/{id}/noise",
  summary: "Whether an issue is marked as noise, and the marks on its rule for its host",
  tags,
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(NoiseSchema, "The mark"), ...errorResponses("NOT_FOUND") },
});

const mark = createRoute({
  method: "post",
  path: "/{id}/noise",
  summary: "Mark an issue as noise: its rule's bar rises for that host (longer hold, wider band)",
  tags,
  middleware: [operators()] as const,
  request: { params: idParam, body: jsonBody(NoiseBodySchema) },
  responses: {
    201: jsonContent(NoiseSchema, "Marked"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const undo = createRoute({
  method: "delete",
  path: "/{id}/noise",
  summary: "Undo a noise mark: the rule's bar for that host comes down again",
  tags,
  middleware: [operators()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(NoiseSchema, "Unmarked"), ...errorResponses("NOT_FOUND") },
});

export const noiseRoutes = newRouter()
  .openapi(read, async (c) =>
    c.json(await getNoise(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(mark, async (c) => {
    const { reason } = c.req.valid("json");
    const done = await markNoise(c.var.db, c.var.principal, c.req.valid("param").id, reason);
    // the host's object reads its rules again on its next report
    await hostObject(c.env, done.hostId).configChanged();
    return c.json(done.view, 201);
  })
  .openapi(undo, async (c) => {
    const done = await undoNoise(c.var.db, c.var.principal.orgId, c.req.valid("param").id);
    await hostObject(c.env, done.hostId).configChanged();
    return c.json(done.view, 200);
  });
