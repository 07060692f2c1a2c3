/**
 * What a host object reads when it starts (worker/objects/host/start-read.ts): every key-value
 * row in one query, each key answered from it once, then from storage, so a write since the start
 * is never hidden.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { StartRead } from "../../worker/objects/host/start-read";
import { hostStub, newTenant } from "./support/harness";

describe("a host object's start read", () => {
  it("answers each key from the rows read at start, once, then from storage", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await runInDurableObject(hostStub(agent.hostId), (_o, state) => {
      const kv = state.storage.kv;
      kv.put("start-read-probe", "at start");
      const first = new StartRead(state.storage);
      kv.put("start-read-probe", "written since");
      // the first answer is the row as read at start: no query of its own
      expect(first.get("start-read-probe")).toBe("at start");
      // asked again: storage, with what was written since
      expect(first.get("start-read-probe")).toBe("written since");
      expect(first.get("start-read-absent")).toBeUndefined();
      kv.put("start-read-absent", 3);
      expect(first.get("start-read-absent")).toBe(3);
      kv.delete("start-read-probe");
      kv.delete("start-read-absent");
    });
  });

  it("is read in one query of the object's storage, whatever the number of keys", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({});
    await runInDurableObject(hostStub(agent.hostId), (_o, state) => {
      const keys = [...state.storage.kv.list()].map(([key]) => key);
      // the keys a report leaves behind, all of which the next start reads
      expect(keys).toEqual(expect.arrayContaining(["context", "context-d1-host", "hot"]));
      let reads = 0;
      const counted = {
        ...state.storage,
        kv: {
          list: () => {
            reads++;
            return state.storage.kv.list();
          },
          get: () => {
            reads++;
            return undefined;
          },
        },
      } as unknown as DurableObjectStorage;
      const first = new StartRead(counted);
      for (const key of keys) expect(first.get(key)).toEqual(state.storage.kv.get(key));
      expect(reads).toBe(1);
    });
  });
});
