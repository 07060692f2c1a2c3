/**
 * A strict validator for the subset of OpenAPI 3 schema used by PagerDuty's Events API v2
 * description: $ref, type, properties, required, enum, items, format (date-time, url).
 * Strict: a property the schema does not declare is an error too, so a typo never passes.
 */
type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  format?: string;
};

export function validate(doc: unknown, schema: Schema, value: unknown, path = "$"): string[] {
  const resolve = (s: Schema): Schema => {
    if (!s.$ref) return s;
    const parts = s.$ref.replace(/^#\//, "").split("/");
    return resolve(parts.reduce((node: any, key) => node[key], doc) as Schema);
  };
  const s = resolve(schema);
  const errors: string[] = [];
  if (s.enum && !s.enum.includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${s.enum.join(", ")}`);
  const type = s.type ?? (s.properties ? "object" : undefined);
  if (type === "object") {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return [`${path}: not an object`];
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in obj)) errors.push(`${path}.${key}: required`);
    if (s.properties) {
      for (const [key, v] of Object.entries(obj)) {
        const prop = s.properties[key];
        if (!prop) errors.push(`${path}.${key}: not in the schema`);
        else errors.push(...validate(doc, prop, v, `${path}.${key}`));
      }
    }
  } else if (type === "array") {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    for (const [i, v] of value.entries()) errors.push(...validate(doc, s.items ?? {}, v, `${path}[${i}]`));
  } else if (type === "string") {
    if (typeof value !== "string") return [`${path}: not a string`];
    if (s.format === "date-time" && Number.isNaN(Date.parse(value))) errors.push(`${path}: not a date-time`);
    if (s.format === "url" && !/^https?:\/\/[^\s]+$/.test(value)) errors.push(`${path}: not a URL`);
  }
  return errors;
}

/** The /enqueue request body schema of an OpenAPI document. */
export function enqueueSchema(doc: any): Schema {
  return doc.paths["/enqueue"].post.requestBody.content["application/json"].schema;
}

/** Field limits WIRE.md states beyond the schema. */
export function pagerDutyLimits(body: any): string[] {
  const errors: string[] = [];
  if (body.event_action !== "trigger" && !body.dedup_key) errors.push("dedup_key: required unless trigger");
  if (body.dedup_key && body.dedup_key.length > 255) errors.push("dedup_key: over 255 characters");
  if (body.event_action === "trigger" && !body.payload) errors.push("payload: required for trigger");
  if (body.payload?.summary?.length > 1024) errors.push("payload.summary: over 1024 characters");
  return errors;
}

/** Slack: text is the fallback and must be set; at most 50 blocks, 3000 characters a section text. */
export function slackProblems(body: any): string[] {
  const errors: string[] = [];
  if (typeof body.text !== "string" || body.text.length === 0) errors.push("text: required");
  if (!Array.isArray(body.blocks)) return errors;
  if (body.blocks.length > 50) errors.push(`blocks: ${body.blocks.length} > 50`);
  body.blocks.forEach((b: any, i: number) => {
    if (!["header", "section", "context", "divider"].includes(b.type))
      errors.push(`blocks[${i}]: type ${b.type}`);
    if (b.type === "section" && (b.text?.text?.length ?? 0) > 3000)
      errors.push(`blocks[${i}]: text over 3000`);
    if (b.type === "header" && (b.text?.type !== "plain_text" || b.text.text.length > 150))
      errors.push(`blocks[${i}]: header must be plain_text of at most 150 characters`);
    if (b.type === "section" && !["mrkdwn", "plain_text"].includes(b.text?.type))
      errors.push(`blocks[${i}]: text type`);
  });
  return errors;
}
