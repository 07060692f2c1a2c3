import { useState } from "preact/hooks";
import {
  addPasskey,
  ceremonyMessage,
  getMyPasskeys,
  passkeysSupported,
  removePasskey,
  renamePasskey,
} from "../passkeys";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** My passkeys: add one (this device, a phone, a security key), rename or remove one. */
export function MyPasskeys() {
  const keys = usePoll(getMyPasskeys, 300_000);
  const { message, busy, run } = useAction(keys.refresh);
  const [name, setName] = useState("");
  const list = keys.data?.items ?? [];

  const add = (e: Event) => {
    e.preventDefault();
    void run("add", async () => {
      try {
        const added = await addPasskey(name.trim() || undefined);
        setName("");
        return `Passkey "${added.name}" added: you can sign in with it.`;
      } catch (err) {
        throw err instanceof Error && err.name !== "ApiError" ? new Error(ceremonyMessage(err)) : err;
      }
    });
  };

  return (
    <div class="passkeys">
      {passkeysSupported() ? (
        <form class="filters" onSubmit={add} aria-label="Add a passkey">
          <label>
            Name
            <input
              data-testid="passkey-name"
              maxLength={64}
              placeholder="e.g. work laptop"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="btn" disabled={busy !== null} data-testid="passkey-add">
            {busy === "add" ? "Waiting for your passkey…" : "Add a passkey"}
          </button>
        </form>
      ) : (
        <p class="note">This browser cannot make passkeys.</p>
      )}
      {message && (
        <p
          class={message.ok ? "note" : "error-text"}
          role={message.ok ? "status" : "alert"}
          data-testid="passkey-message"
        >
          {message.text}
        </p>
      )}
      {keys.loading ? (
        <p class="note">Loading…</p>
      ) : keys.error && !keys.data ? (
        <p class="error-text" role="alert">
          Could not load your passkeys: {keys.error.message}
        </p>
      ) : list.length === 0 ? (
        <p class="empty">No passkeys yet.</p>
      ) : (
        <ScrollTable label="My passkeys" columns={["Name", "Added", "Last used"]} actions="Actions">
          {list.map((k) => (
            <tr key={k.id} data-testid="passkey-row">
              <th scope="row">{k.name}</th>
              <td>
                <Time iso={k.createdAt} />
              </td>
              <td>{k.lastUsedAt ? <Time iso={k.lastUsedAt} /> : <span class="muted">never</span>}</td>
              <td>
                <button
                  type="button"
                  class="btn small"
                  aria-label={`Rename ${k.name}`}
                  disabled={busy !== null}
                  onClick={() => {
                    const next = prompt("New name for this passkey", k.name)?.trim();
                    if (next && next !== k.name)
                      void run(k.id, async () => `Renamed to "${(await renamePasskey(k.id, next)).name}".`);
                  }}
                >
                  Rename
                </button>{" "}
                <button
                  type="button"
                  class="btn small danger"
                  aria-label={`Remove ${k.name}`}
                  disabled={busy !== null}
                  onClick={() => {
                    if (!confirm(`Remove the passkey "${k.name}"? It will no longer sign in.`)) return;
                    void run(k.id, async () => {
                      await removePasskey(k.id);
                      return `Passkey "${k.name}" removed.`;
                    });
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </div>
  );
}
