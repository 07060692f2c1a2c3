import { useState } from "preact/hooks";
import { createInvitation, revokeInvitation } from "../api";
import type { Invitation, List, Member, NewInvitation } from "../types";
import type { Run } from "../useAction";
import type { Poll } from "../usePoll";
import { Badge } from "./Badge";
import { Options } from "./Options";
import { RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

export const ROLES: Member["role"][] = ["admin", "operator", "read"];

interface Props {
  invitations: Poll<List<Invitation>>;
  busy: string | null;
  run: Run;
}

/** Invitation links (each shown once, working once) and the pending ones, which can be revoked. */
export function Invitations({ invitations, busy, run }: Props) {
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
    <>
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
            <Options choices={ROLES} />
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
        <ScrollTable label="Pending invitations" columns={["For", "Role", "By", "Expires"]} actions="Actions">
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
                <RowActions
                  rowKey={i.id}
                  busy={busy}
                  run={run}
                  actions={[
                    {
                      label: "Revoke",
                      danger: true,
                      run: async () => {
                        await revokeInvitation(i.id);
                        return "Invitation revoked: the link no longer works.";
                      },
                    },
                  ]}
                />
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </>
  );
}
