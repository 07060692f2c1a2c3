import { useState } from "preact/hooks";
import { createToken, getTokens, revokeToken } from "../api";
import type { CreatedToken } from "../types";

import { usePoll } from "../usePoll";
import { Badge } from "./Badge";
import { EnrollInstructions } from "./EnrollInstructions";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

type Scope = Parameters<typeof createToken>[0];

/** API tokens: create one (its secret is shown once, with a copy button), list them, revoke. */
export function TokenManager() {
  const tokens = usePoll(getTokens, 30_000);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("read");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) {
      setError("Give the token a name, so you know later what it is for.");
      return;
    }
    setBusy("create");
    setError(null);
    setCopied(false);
    try {
      setCreated(await createToken(scope, name.trim()));
      setName("");
      tokens.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const revoke = async (id: string, label: string) => {
    if (!confirm(`Revoke the token “${label}”? Anything using it stops working at once.`)) return;
    setBusy(id);
    setError(null);
    try {
      await revokeToken(id);
      tokens.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setError("Copying is blocked here; select the token and copy it by hand.");
    }
  };

  const list = tokens.data?.items ?? [];
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
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
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
              {copied ? "Copied" : "Copy"}
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
      {tokens.loading ? (
        <p class="note">Loading…</p>
      ) : tokens.error && !tokens.data ? (
        <p class="error-text" role="alert">
          Could not load tokens: {tokens.error.message}
        </p>
      ) : list.length === 0 ? (
        <p class="empty">No tokens yet.</p>
      ) : (
        <ScrollTable label="Tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
                    <button
                      type="button"
                      class="btn small"
                      disabled={busy !== null}
                      aria-label={`Revoke ${t.name}`}
                      onClick={() => revoke(t.id, t.name)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </div>
  );
}
