import { useState } from "preact/hooks";
import {
  createInvitation,
  getInvitations,
  getMembers,
  removeMember,
  revokeInvitation,
  setMemberRole,
} from "../api";
import type { Member, NewInvitation } from "../types";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { Badge } from "./Badge";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

const ROLES: Member["role"][] = ["admin", "operator", "read"];

/** The org's people and their roles, and invitation links (each shown once) to bring more in. */
export function PeopleManager() {
  const members = usePoll(getMembers, 60_000);
  const invitations = usePoll(getInvitations, 60_000);
  const refresh = () => {
    members.refresh();
    invitations.refresh();
  };
  const { message, busy, run } = useAction(refresh);
  const [role, setRole] = useState<Member["role"]>("operator");
  const [note, setNote] = useState("");
  const [made, setMade] = useState<NewInvitation | null>(null);

  const invite = (e: Event) => {
    e.preventDefault();
    void run("invite", async () => {
      setMade(await createInvitation(role, note.trim() || "a colleague"));
      setNote("");
      return "Invitation made: send the link below. It works once.";
    });
  };
  const pending = (invitations.data?.items ?? []).filter((i) => i.status === "pending");

  return (
    <div class="people">
      {message && (
        <p class={message.ok ? "note" : "error-text"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <ScrollTable label="People">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(members.data?.items ?? []).map((m) => (
            <tr key={m.id} data-testid="member-row">
              <th scope="row">{m.name}</th>
              <td>{m.email}</td>
              <td>
                <select
                  aria-label={`Role of ${m.name}`}
                  value={m.role}
                  disabled={busy !== null}
                  onChange={(e) => {
                    const next = e.currentTarget.value as Member["role"];
                    void run(m.id, async () => {
                      await setMemberRole(m.id, next);
                      return `${m.name} is now ${next}.`;
                    });
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  class="btn small danger"
                  disabled={busy !== null}
                  onClick={() =>
                    confirm(`Remove ${m.name} from this org? Their sessions here end at once.`) &&
                    run(m.id, async () => {
                      await removeMember(m.id);
                      return `${m.name} was removed.`;
                    })
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>

      <form class="filters" onSubmit={invite} aria-label="Invite someone">
        <label>
          Who is it for
          <input data-testid="invite-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select
            data-testid="invite-role"
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as Member["role"])}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn" disabled={busy !== null} data-testid="invite-create">
          Make an invitation link
        </button>
      </form>
      {made && (
        <div class="once" role="status" data-testid="invite-once">
          <p>
            <strong>Send this link now.</strong> It is shown only once, works once, until{" "}
            <Time iso={made.expiresAt} />.
          </p>
          <code class="secret" data-testid="invite-url">
            {made.url}
          </code>
          <button type="button" class="btn small" onClick={() => setMade(null)}>
            Done
          </button>
        </div>
      )}
      {pending.length > 0 && (
        <ScrollTable label="Pending invitations">
          <thead>
            <tr>
              <th scope="col">For</th>
              <th scope="col">Role</th>
              <th scope="col">By</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.map((i) => (
              <tr key={i.id} data-testid="invitation-row">
                <th scope="row">{i.note}</th>
                <td>
                  <Badge tone="neutral" label={i.role} />
                </td>
                <td>{i.createdBy}</td>
                <td>
                  <Time iso={i.expiresAt} />
                </td>
                <td>
                  <button
                    type="button"
                    class="btn small danger"
                    disabled={busy !== null}
                    onClick={() =>
                      run(i.id, async () => {
                        await revokeInvitation(i.id);
                        return "Invitation revoked: the link no longer works.";
                      })
                    }
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </div>
  );
}
