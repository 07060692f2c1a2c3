import { useState } from "preact/hooks";
import { createToken, getTokens, revokeToken } from "../api";
import type { CreatedToken } from "../types";
import { useAction } from "../useAction";

import { usePoll } from "../usePoll";
import { Badge } from "./Badge";
import { EnrollInstructions } from "./EnrollInstructions";
import { Loaded } from "./Loaded";
import { Notice } from "./Notice";
import { type RowAction, RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

type Scope = Parameters<typeof createToken>[0];

const revoke = (id: string, name: string): RowAction => ({
  label: "Revoke",
  ariaLabel: `Revoke ${name}`,
  confirm: `Revoke the token “${name}”? Anything using it stops working at once.`,
  run: async () => {
    await revokeToken(id);
    return "";
  },
});

/** API tokens: create one (its secret is shown once, with a copy button), list them, revoke. */
export function TokenManager() {
  const tokens = usePoll(getTokens, 30_000);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("read");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  /** Copied, or the browser refused (then the person copies by hand). */
  const [copied, setCopied] = useState<boolean | "blocked">(false);
  const { message, busy, run } = useAction(tokens.refresh);

  const create = (e: Event) => {
    e.preventDefault();
    setCopied(false);
    void run("create", async () => {
      if (!name.trim()) throw new Error("Give the token a name, so you know later what it is for.");
      setCreated(await createToken(scope, name.trim()));
      setName("");
      return "";
    });
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setCopied("blocked");
    }
  };

  return (
    <div class="tokens">
      <form class="filters" onSubmit={create} aria-label="Create a token">
        <label>
          Name
          <input data-testid="token-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Scope
          <select
            value={scope}
            onChange={(e) => setScope(e.currentTarget.value as Scope)}
            data-testid="token-scope"
          >
            <option value="read">read: view only</option>
            <option value="operator">
              operator: view, recover, approve, acknowledge, run emergency protocols
            </option>
            <option value="admin">admin: everything</option>
            <option value="enroll">enroll: add hosts</option>
            <option value="metrics">metrics: Prometheus scrape only</option>
          </select>
        </label>
        <button type="submit" class="btn" disabled={busy !== null} data-testid="token-create">
          Create token
        </button>
      </form>
      <Notice
        message={
          copied === "blocked"
            ? { ok: false, text: "Copying is blocked here; select the token and copy it by hand." }
            : message
        }
      />
      {created && (
        <div class="once" role="status" data-testid="token-once">
          <p>
            <strong>Copy this {created.scope} token now.</strong> It is shown only once.
          </p>
          <div class="control">
            <code class="secret" data-testid="token-secret">
              {created.token}
            </code>
            <button type="button" class="btn small" onClick={copy}>
              {copied === true ? "Copied" : "Copy"}
            </button>
            <button type="button" class="btn small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          {created.scope === "enroll" && (
            <EnrollInstructions token={created.token} server={location.origin} />
          )}
        </div>
      )}
      <Loaded poll={tokens} what="tokens" empty="No tokens yet.">
        {(list) => (
          <ScrollTable
            label="Tokens"
            columns={["Name", "Scope", "Prefix", "Created", "Last used"]}
            actions="Actions"
          >
            {list.map((t) => (
              <tr key={t.id} data-testid="token-row">
                <th scope="row">{t.name}</th>
                <td>
                  <Badge tone="scope" label={t.scope} />
                </td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>
                  <Time iso={t.createdAt} />
                </td>
                <td>
                  <Time iso={t.lastUsedAt} />
                </td>
                <td>
                  {t.revokedAt ? (
                    <span class="muted">
                      revoked <Time iso={t.revokedAt} />
                    </span>
                  ) : (
                    <RowActions rowKey={t.id} busy={busy} run={run} actions={[revoke(t.id, t.name)]} />
                  )}
                </td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </Loaded>
    </div>
  );
}
