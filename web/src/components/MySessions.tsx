import { endMySession, getMySessions } from "../api";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** Where I am signed in: each session's browser and last use; ending one signs that browser out. */
export function MySessions() {
  const sessions = usePoll(getMySessions, 60_000);
  const { message, busy, run } = useAction(sessions.refresh);
  const list = sessions.data?.items ?? [];
  if (sessions.loading) return <p class="note">Loading…</p>;
  if (sessions.error && !sessions.data)
    return (
      <p class="error-text" role="alert">
        Could not load your sessions: {sessions.error.message}
      </p>
    );
  return (
    <>
      {message && (
        <p class={message.ok ? "note" : "error-text"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <ScrollTable label="My sessions">
        <thead>
          <tr>
            <th scope="col">Browser</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">Ends</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
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
                  <button
                    type="button"
                    class="btn small danger"
                    data-testid="my-session-end"
                    disabled={busy !== null}
                    onClick={() =>
                      run(s.id, async () => {
                        await endMySession(s.id);
                        return "That browser is signed out.";
                      })
                    }
                  >
                    Sign out
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </>
  );
}
