/**
 * `"tls": [{"name", "url"}]` in the agent config: endpoints whose certificate expiry the agent
 * reports (as `tls:<name>.days`), since the edge runtime cannot see certificates.
 */
import { z } from "zod";

export const tlsEndpointSchema = z
  .object({
    /** Becomes part of a metric name, so it keeps to the metric-name characters. */
    name: z
      .string()
      .min(1)
      .max(48)
      .regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, _ and - only"),
    url: z.url({ protocol: /^https$/, error: "must be an https URL" }),
    timeoutMs: z.number().int().min(100).max(30_000).default(5000),
  })
  .strict();

export type TlsEndpoint = z.infer<typeof tlsEndpointSchema>;

export const tlsShape = {
  tls: z
    .array(tlsEndpointSchema)
    .max(50)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((e, i) => {
        if (seen.has(e.name))
          ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate TLS endpoint "${e.name}"` });
        seen.add(e.name);
      });
    }),
};
