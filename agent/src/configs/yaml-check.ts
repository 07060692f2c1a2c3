/**
 * A full YAML parse of a configured file, by the `yaml` library (YAML 1.2, the parser most
 * Node tools use). It is imported only here, when a YAML file is validated, and the agent's build
 * puts it in a chunk of its own: an agent with no YAML config never loads it (bench:agent
 * measures what it costs one that does). Duplicate keys are an error, as they are for most YAML
 * consumers (and silently keep only one value for the rest). A file may hold several documents.
 */
export async function yamlProblem(text: string): Promise<string | undefined> {
  // yaml is CommonJS for Node: imported dynamically from the bundle, only its default export
  // (module.exports) carries the functions
  const { parseAllDocuments } = (await import("yaml")).default;
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const first = docs.flatMap((d) => d.errors)[0];
  // the first line names the problem and its line and column; an excerpt with a caret follows
  return first?.message.split("\n")[0].replace(/:$/, "");
}
