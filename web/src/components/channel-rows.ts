/** What each channel row offers and shows: its buttons and where it sends. */
import { deleteChannel, testChannel, updateChannel } from "../api";
import type { Channel } from "../types";
import type { RowAction } from "./RowActions";

/** Send a test to a channel; with write access, turn it on or off and remove it. */
export function channelActions(c: Channel, canWrite: boolean): RowAction[] {
  const test: RowAction = {
    label: "Send test",
    run: async () => {
      const d = await testChannel(c.id);
      return `Test to ${c.name}: ${d.status}${d.lastError ? ` (${d.lastError})` : ""}.`;
    },
  };
  if (!canWrite) return [test];
  return [
    test,
    {
      label: c.enabled ? "Turn off" : "Turn on",
      run: async () => {
        await updateChannel(c.id, { enabled: !c.enabled });
        return `${c.name} turned ${c.enabled ? "off" : "on"}.`;
      },
    },
    {
      label: "Remove",
      ariaLabel: `Remove ${c.name}`,
      confirm: `Remove the channel “${c.name}”?`,
      run: async () => {
        await deleteChannel(c.id);
        return `${c.name} removed.`;
      },
    },
  ];
}

/** Where a channel sends: its (masked) URL, its chat, its recipients, or its masked key. */
export function destination(c: Channel): string {
  if (c.kind === "email") return `${c.to.join(", ")} (from ${c.from ?? "?"})`;
  if (c.kind === "telegram") return `chat ${c.chatId ?? "?"}`;
  return c.url ?? c.secret ?? "—";
}
