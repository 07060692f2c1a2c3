import { useState } from "preact/hooks";
import { createToken, messageOf } from "../api";
import type { CreatedToken } from "../types";
import { EnrollInstructions } from "./EnrollInstructions";

/**
 * "Add a host": one click makes an enroll token and shows what to run on the new host, with this
 * server's URL and the token filled in. The token is shown once; Settings → Tokens revokes it.
 */
export function AddHost({ canWrite }: { canWrite: boolean }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("hosts added from the dashboard");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canWrite) return null;

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await createToken("enroll", name.trim() || "new host"));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setCreated(null);
  };

  if (!open)
    return (
      <button type="button" class="btn small" data-testid="add-host" onClick={() => setOpen(true)}>
        Add a host
      </button>
    );
  return (
    <div class="add-host" role="dialog" aria-label="Add a host" data-testid="add-host-dialog">
      {created ? (
        <>
          <p>
            <strong>Enroll token “{created.name}” created.</strong> It is shown only here: copy what you need
            now. It can enrol any number of hosts until you revoke it in Settings → Tokens.
          </p>
          <EnrollInstructions token={created.token} server={location.origin} />
        </>
      ) : (
        <form class="filters" onSubmit={create}>
          <label>
            Token name
            <input
              data-testid="add-host-name"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              maxLength={100}
            />
          </label>
          <button type="submit" class="btn" disabled={busy} data-testid="add-host-create">
            Create an enroll token
          </button>
        </form>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="btn small" onClick={close}>
        {created ? "Done" : "Cancel"}
      </button>
    </div>
  );
}
