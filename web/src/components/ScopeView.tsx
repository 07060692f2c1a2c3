import { humanize } from "../format";
import { Link } from "../router";
import type { EffectiveConfig, ScopeLevel, ScopeOverrides } from "../types";
import { ScrollTable } from "./ScrollTable";

const LEVEL_TEXT: Record<ScopeLevel, string> = {
  default: "default",
  org: "organisation",
  group: "host group",
  host: "this host",
};

/** Which level set a value: the default, the organisation, the host's group or the host itself. */
export function SetBy({ level }: { level: ScopeLevel }) {
  return (
    <span class={level === "host" || level === "group" ? "badge tone-scope" : "badge"} data-testid="set-by">
      {LEVEL_TEXT[level]}
    </span>
  );
}

/** A host's thresholds and the rules its group or itself changed, with the level that set each. */
export function EffectiveConfigView({ config }: { config: EffectiveConfig }) {
  const changed = config.rules.filter((r) => r.setBy === "group" || r.setBy === "host");
  return (
    <>
      <p class="muted small">
        The host's own settings win over its group's{config.group ? ` (${config.group})` : ""}, which win over
        the organisation's. Change them with{" "}
        <code>
          PUT /api/v1/scopes/{"{group|host}"}/{"{key}"}
        </code>
        .
      </p>
      <ScrollTable label="Thresholds in force">
        <thead>
          <tr>
            <th scope="col">Threshold</th>
            <th scope="col">Value</th>
            <th scope="col">Set by</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(config.thresholds).map(([name, t]) => (
            <tr key={name} data-testid="threshold-row" data-threshold={name}>
              <th scope="row">{humanize(name)}</th>
              <td>{t.value} %</td>
              <td>
                <SetBy level={t.setBy} />
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {changed.length === 0 ? (
        <p class="empty">No rule is changed for this host or its group.</p>
      ) : (
        <ul class="plain" aria-label="Rules changed for this host">
          {changed.map((r) => (
            <li key={r.id} data-testid="scoped-rule" data-rule-id={r.id}>
              <Link href="/rules">{r.name}</Link>:{" "}
              {Object.entries(r.fieldsSetBy).map(([field, level], i) => (
                <span key={field}>
                  {i > 0 && ", "}
                  {field} = {JSON.stringify((r as unknown as Record<string, unknown>)[field])}{" "}
                  <SetBy level={level} />
                </span>
              ))}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The org's group and host overrides (Settings), and the rules they touch (Rules). */
export function ScopeList({ items }: { items: ScopeOverrides[] }) {
  if (items.length === 0)
    return <p class="empty">No group or host overrides: every host follows the organisation's settings.</p>;
  return (
    <ScrollTable label="Group and host overrides">
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">Thresholds</th>
          <th scope="col">Rules</th>
        </tr>
      </thead>
      <tbody>
        {items.map((s) => (
          <tr key={`${s.kind}:${s.key}`} data-testid="scope-row">
            <th scope="row">
              {s.kind === "host" ? (
                <>
                  host <Link href={`/hosts/${encodeURIComponent(s.key)}`}>{s.key}</Link>
                </>
              ) : (
                `group ${s.key}`
              )}
            </th>
            <td>
              {Object.entries(s.thresholds)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ") || <span class="muted">none</span>}
            </td>
            <td>{Object.keys(s.rules).join(", ") || <span class="muted">none</span>}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** Per rule id: the groups and hosts that change it. */
export function scopedBy(items: ScopeOverrides[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of items)
    for (const ruleId of Object.keys(s.rules))
      out.set(ruleId, [...(out.get(ruleId) ?? []), `${s.kind} ${s.key}`]);
  return out;
}
