import { useState } from "preact/hooks";
import type { MaintenanceRequest } from "../api";
import { createMaintenance, deleteMaintenance, getMaintenance, getStatus } from "../api";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { Field, fieldError } from "./Field";
import { Loaded } from "./Loaded";
import { hostChoices, Options } from "./Options";
import { RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** `datetime-local` value (local time) → ISO, or undefined when empty or unreadable. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * Maintenance windows: while one is in force, issues are still detected but nothing is queued or
 * notified for the hosts, group or rule it matches. List, add (the API's messages beside each
 * field), end early.
 */
export function MaintenanceManager({ canWrite }: { canWrite: boolean }) {
  const windows = usePoll(getMaintenance, 30_000);
  const status = usePoll(getStatus, 60_000);
  const [host, setHost] = useState("");
  const [group, setGroup] = useState("");
  const [rule, setRule] = useState("");
  const [startsAt, setStartsAt] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [reason, setReason] = useState("");
  const hosts = status.data?.hosts ?? [];
  const hostName = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;

  const { issues, message, busy, run } = useAction(() => windows.refresh());

  const add = (e: Event) => {
    e.preventDefault();
    const body: Partial<MaintenanceRequest> = { reason: reason.trim() };
    if (host) body.host = host;
    if (group.trim()) body.group = group.trim();
    if (rule.trim()) body.rule = rule.trim();
    const from = toIso(startsAt);
    const until = toIso(endsAt);
    if (from) body.startsAt = from;
    if (until) body.endsAt = until;
    void run("add", async () => {
      const w = await createMaintenance(body as MaintenanceRequest);
      setReason("");
      setEndsAt("");
      setStartsAt("");
      return `Maintenance window added until ${new Date(w.endsAt).toLocaleString()}.`;
    });
  };

  const errorFor = (field: string) => fieldError(issues, field);
  const now = Date.now();

  return (
    <div class="tokens">
      {canWrite && (
        <form class="filters" onSubmit={add} aria-label="Add a maintenance window" noValidate>
          <label>
            Host
            <select value={host} onChange={(e) => setHost(e.currentTarget.value)} data-testid="mw-host">
              <option value="">Any host</option>
              <Options choices={hostChoices(hosts)} />
            </select>
          </label>
          <Field label="Group" value={group} onInput={setGroup} error={errorFor("group")} />
          <Field label="Rule" value={rule} onInput={setRule} error={errorFor("rule")} />
          <Field
            label="Starts (default: now)"
            value={startsAt}
            onInput={setStartsAt}
            error={errorFor("startsAt")}
            type="datetime-local"
          />
          <Field
            label="Ends"
            value={endsAt}
            onInput={setEndsAt}
            error={errorFor("endsAt")}
            type="datetime-local"
          />
          <Field label="Reason" value={reason} onInput={setReason} error={errorFor("reason")} />
          <button type="submit" class="btn" disabled={busy !== null} data-testid="mw-create">
            Add window
          </button>
        </form>
      )}
      <p
        class={`small live ${message?.ok === false ? "error-text" : ""}`}
        role="status"
        data-testid="mw-message"
      >
        {message?.text}
      </p>
      <Loaded
        poll={windows}
        what="maintenance windows"
        empty="No maintenance windows: automatic recovery runs everywhere."
      >
        {(list) => (
          <ScrollTable
            label="Maintenance windows"
            columns={["Applies to", "From", "Until", "Reason"]}
            actions={canWrite && "Manage"}
          >
            {list.map((w) => {
              const scope =
                [
                  w.hostId && `host ${hostName(w.hostId)}`,
                  w.group && `group ${w.group}`,
                  w.rule && `rule ${w.rule}`,
                ]
                  .filter(Boolean)
                  .join(", ") || "every host";
              const active = new Date(w.startsAt).getTime() <= now;
              return (
                <tr key={w.id} data-testid="mw-row">
                  <th scope="row">
                    {scope}
                    <span class="muted small block">{active ? "in force" : "scheduled"}</span>
                  </th>
                  <td>
                    <Time iso={w.startsAt} relative={false} />
                  </td>
                  <td>
                    <Time iso={w.endsAt} relative={false} />
                  </td>
                  <td class="wrap">{w.reason}</td>
                  {canWrite && (
                    <td>
                      <RowActions
                        rowKey={w.id}
                        busy={busy}
                        run={run}
                        actions={[
                          {
                            label: "Delete",
                            ariaLabel: `Delete the window “${w.reason}”`,
                            confirm: `Delete the maintenance window “${w.reason}”?`,
                            run: async () => {
                              await deleteMaintenance(w.id);
                              return "Maintenance window deleted.";
                            },
                          },
                        ]}
                      />
                    </td>
                  )}
                </tr>
              );
            })}
          </ScrollTable>
        )}
      </Loaded>
    </div>
  );
}
