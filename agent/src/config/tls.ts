/**
 * `"tls": [{"name", "url"}]` in the agent config: endpoints whose certificate expiry the agent
 * reports (as `tls:<name>.days`), since the edge runtime cannot see certificates.
 */
import * as z from "zod/mini";

export const tlsEndpointSchema = z.strictObject({
  /** Becomes part of a metric name, so it keeps to the metric-name characters. */
  name: z
    .string()
    .check(z.minLength(1), z.maxLength(48), z.regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, _ and - only")),
  url: z.url({ protocol: /^https$/, error: "must be an https URL" }),
  timeoutMs: z._default(z.number().check(z.int(), z.gte(100), z.lte(30_000)), 5000),
});

export type TlsEndpoint = z.infer<typeof tlsEndpointSchema>;

export const tlsShape = {
  tls: z._default(z.array(tlsEndpointSchema).check(z.maxLength(50)), []).check(
    z.superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((e, i) => {
        if (seen.has(e.name))
          ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate TLS endpoint "${e.name}"` });
        seen.add(e.name);
      });
    }),
  ),
};
