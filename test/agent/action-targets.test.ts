import { describe, expect, it } from "vitest";
import { ACTION_TARGETS } from "../../agent/engine";
import { ACTION_NAMES } from "../../agent/src/actions/names";
import { builtinHandlers } from "../../agent/src/actions/registry";

describe("the planner's table of action targets", () => {
  it("matches what each of the agent's handlers takes as its target, for every action it knows", () => {
    expect(Object.keys(ACTION_TARGETS).sort()).toEqual([...ACTION_NAMES].sort());
    for (const h of builtinHandlers)
      expect([h.name, ACTION_TARGETS[h.name]]).toEqual([h.name, h.target ?? null]);
  });
});
