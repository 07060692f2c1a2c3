import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import {
  HistoryEntrySchema,
  historyQuery,
  IssueDetailSchema,
  IssueSchema,
  issuesQuery,
} from "../schemas/issues";
import { getIssue, listHistory, listIssues } from "../services/issues/read";

const list = createRoute({
  method: "get",
  path: "/issues",
  summary: "Detected issues, newest first (status=active: every issue not resolved)",
  tags: ["healing"],
  middleware: [readers()] as const,
  request: { query: issuesQuery },
  responses: { 200: jsonContent(listOf(IssueSchema), "Issues"), ...errorResponses("BAD_REQUEST") },
});

const one = createRoute({
  method: "get",
  path: "/issues/{id}",
  summary: "One issue with its recovery history",
  tags: ["healing"],
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(IssueDetailSchema, "The issue"), ...errorResponses("NOT_FOUND") },
});

const history = createRoute({
  method: "get",
  path: "/recovery-history",
  summary: "Recovery attempts, newest first",
  tags: ["healing"],
  middleware: [readers()] as const,
  request: { query: historyQuery },
  responses: { 200: jsonContent(listOf(HistoryEntrySchema), "Attempts"), ...errorResponses("BAD_REQUEST") },
});

export const issueRoutes = newRouter()
  .openapi(list, async (c) =>
    c.json({ items: await listIssues(c.var.db, c.var.principal.orgId, c.req.valid("query")) }, 200),
  )
  .openapi(one, async (c) =>
    c.json(await getIssue(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(history, async (c) =>
    c.json({ items: await listHistory(c.var.db, c.var.principal.orgId, c.req.valid("query")) }, 200),
  );
