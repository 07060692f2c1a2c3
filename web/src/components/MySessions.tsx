import { endMySession, getMySessions } from "../api";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { Notice } from "./Notice";
import { RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** Where I am signed in: each session's browser and last use; ending one signs that browser out. */
export function MySessions() {
  const sessions = usePoll(getMySessions, 60_000);
  const { message, busy, run } = useAction(sessions.refresh);
  const list = sessions.data?.items ?? [];
  const signOut = (id: string) => async () => {
    await endMySession(id);
    return "That browser is signed out.";
  };
  if (sessions.loading) return <p class="note">Loading…</p>;
  if (sessions.error && !sessions.data)
    return (
      <p class="error-text" role="alert">
        Could not load your sessions: {sessions.error.message}
      </p>
    );
  return (
    <>
      <Notice message={message} />
      <ScrollTable
        label="My sessions"
        columns={["Browser", "Signed in", "Last used", "Ends"]}
        actions="Actions"
      >
        {list.map((s) => (
          <tr key={s.id} data-testid="my-session-row">
            <th scope="row">
              {s.userAgent ?? "unknown browser"} {s.current && <span class="muted">(this one)</span>}
            </th>
            <td>
              <Time iso={s.createdAt} />
            </td>
            <td>
              <Time iso={s.lastSeenAt} />
            </td>
            <td>
              <Time iso={s.expiresAt} />
            </td>
            <td>
              {!s.current && (
                <RowActions
                  rowKey={s.id}
                  busy={busy}
                  run={run}
                  actions={[
                    { label: "Sign out", danger: true, testId: "my-session-end", run: signOut(s.id) },
                  ]}
                />
              )}
            </td>
          </tr>
        ))}
      </ScrollTable>
    </>
  );
}
