/**
 * /api/openapi.json against the OpenAPI 3.1 JSON Schema and its $refs, with a real validator.
 * The validator reads its schemas from disk, so this runs in Node, building the document from the
 * same app and the same settings the Worker serves it with (worker/app.ts).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp, openApiDocument } from "../../worker/app";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;
};

const served = () => createApp().getOpenAPI31Document(openApiDocument) as unknown as Doc;

async function problems(doc: Doc) {
  const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
  return result.valid ? [] : result.errors;
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document whose every $ref resolves", async () => {
    const doc = served();
    expect(doc.openapi).toBe("3.1.0");
    expect(await problems(doc)).toEqual([]);
  });

  it("the validator refuses a response without a description and a dangling $ref", async () => {
    const hostList = (doc: Doc) => doc.paths["/api/v1/hosts"].get.responses;
    const undescribed = served();
    delete hostList(undescribed)["200"].description;
    expect(await problems(undescribed)).not.toEqual([]);
    const dangling = served();
    hostList(dangling)["200"] = { $ref: "#/components/responses/Missing" };
    expect(await problems(dangling)).not.toEqual([]);
  });
});
