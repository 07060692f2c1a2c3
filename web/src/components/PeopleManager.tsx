import { getInvitations, getMembers, removeMember, setMemberRole } from "../api";
import type { Member } from "../types";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { Invitations, ROLES } from "./Invitations";
import { Notice } from "./Notice";
import { Options } from "./Options";
import { RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";

/** The org's people and their roles, and invitation links (each shown once) to bring more in. */
export function PeopleManager() {
  const members = usePoll(getMembers, 60_000);
  const invitations = usePoll(getInvitations, 60_000);
  const refresh = () => {
    members.refresh();
    invitations.refresh();
  };
  const { message, busy, run } = useAction(refresh);

  return (
    <div class="people">
      <Notice message={message} />
      <ScrollTable label="People" columns={["Name", "Email", "Role"]} actions="Actions">
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
                <Options choices={ROLES} />
              </select>
            </td>
            <td>
              <RowActions
                rowKey={m.id}
                busy={busy}
                run={run}
                actions={[
                  {
                    label: "Remove",
                    danger: true,
                    confirm: `Remove ${m.name} from this org? Their sessions here end at once.`,
                    run: async () => {
                      await removeMember(m.id);
                      return `${m.name} was removed.`;
                    },
                  },
                ]}
              />
            </td>
          </tr>
        ))}
      </ScrollTable>

      <Invitations invitations={invitations} busy={busy} run={run} />
    </div>
  );
}
