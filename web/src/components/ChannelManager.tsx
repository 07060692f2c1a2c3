import { useState } from "preact/hooks";
import { SEVERITIES } from "../../../agent/engine/types";
import { ApiError, createChannel, getChannels } from "../api";
import type { ChannelKind } from "../types";
import { useAction } from "../useAction";
import { usePoll } from "../usePoll";
import { Badge } from "./Badge";
import { channelBody, KINDS } from "./channel-kinds";
import { channelActions, destination } from "./channel-rows";
import { Field, fieldError } from "./Field";
import { Loaded } from "./Loaded";
import { Options } from "./Options";
import { RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";

/** Where notifications go: add a channel, send it a test, turn it on or off, remove it. */
export function ChannelManager({ canWrite, canTest }: { canWrite: boolean; canTest: boolean }) {
  const channels = usePoll(getChannels, 30_000);
  const [kind, setKind] = useState<ChannelKind>("slack");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [repeat, setRepeat] = useState("");
  const [minSeverity, setMinSeverity] = useState("high");
  const spec = KINDS.find((k) => k.kind === kind) ?? KINDS[0];

  const { issues, message, busy, run } = useAction(() => channels.refresh());

  const add = (e: Event) => {
    e.preventDefault();
    const body = channelBody(spec, name, minSeverity, values, repeat);
    void run("add", async () => {
      const c = await createChannel(body);
      setName("");
      setValues({});
      setRepeat("");
      return `Channel “${c.name}” added.`;
    });
  };

  const errorFor = (field: string) => fieldError(issues, field);
  const missing = channels.error instanceof ApiError && channels.error.status === 404;
  if (missing) return <p class="empty">This server does not offer notification channels yet.</p>;

  return (
    <div class="tokens">
      {canWrite && (
        <form class="filters" onSubmit={add} aria-label="Add a channel" noValidate>
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as ChannelKind)}>
              <Options choices={KINDS.map((k) => [k.kind, k.label] as const)} />
            </select>
          </label>
          <Field label="Name" value={name} onInput={setName} error={errorFor("name")} />
          {spec.fields.map((f) => (
            <Field
              key={`${kind}-${f.key}`}
              label={f.label}
              hint={f.hint}
              value={values[f.key] ?? ""}
              onInput={(v) => setValues((old) => ({ ...old, [f.key]: v }))}
              error={errorFor(f.key)}
              type={f.type === "password" ? "password" : "text"}
            />
          ))}
          {spec.reminds && (
            <Field
              label="Remind every (minutes, optional)"
              hint="While an issue stays unresolved and unacknowledged"
              value={repeat}
              onInput={setRepeat}
              error={errorFor("repeatMinutes")}
            />
          )}
          <label>
            From severity
            <select value={minSeverity} onChange={(e) => setMinSeverity(e.currentTarget.value)}>
              <Options choices={SEVERITIES} />
            </select>
          </label>
          <button type="submit" class="btn" disabled={busy !== null}>
            Add channel
          </button>
        </form>
      )}
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
        {message?.text}
      </p>
      <Loaded poll={channels} what="channels" empty="No channels yet: issues are only shown here.">
        {(list) => (
          <ScrollTable
            label="Notification channels"
            columns={["Name", "Kind", "Destination", "From severity", "State"]}
            actions={canTest && "Manage"}
          >
            {list.map((c) => (
              <tr key={c.id} data-testid="channel-row">
                <th scope="row">{c.name}</th>
                <td>{c.kind}</td>
                <td>
                  <code>{destination(c)}</code>
                </td>
                <td>
                  <Badge tone={c.minSeverity} />
                </td>
                <td>
                  {c.enabled ? "on" : <span class="muted">off</span>}
                  {c.repeatMinutes ? (
                    <span class="muted small"> · reminds every {c.repeatMinutes} min</span>
                  ) : null}
                </td>
                {canTest && (
                  <td>
                    <RowActions rowKey={c.id} busy={busy} run={run} actions={channelActions(c, canWrite)} />
                  </td>
                )}
              </tr>
            ))}
          </ScrollTable>
        )}
      </Loaded>
    </div>
  );
}
