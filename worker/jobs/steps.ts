/**
 * Runs scheduled work as named steps, each on its own: a step that throws is logged under its
 * name and the next one still runs, so a broken sweep never holds back notifications or retention.
 * The next cron run retries whatever failed.
 */
export interface Step<C> {
  name: string;
  run: (ctx: C) => Promise<unknown>;
}

/** Runs every step in order; returns the names of those that failed. */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C): Promise<string[]> {
  const failed: string[] = [];
  for (const step of steps) {
    try {
      await step.run(ctx);
    } catch (err) {
      failed.push(step.name);
      console.error(JSON.stringify({ error: "scheduled step failed", step: step.name, detail: String(err) }));
    }
  }
  return failed;
}
