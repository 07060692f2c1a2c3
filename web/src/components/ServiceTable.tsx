import type { Service } from "../types";
import { Badge } from "./Badge";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** A host's supervised services and what their last check said. */
export function ServiceTable({ services }: { services: Service[] }) {
  if (services.length === 0)
    return <p class="empty">This host supervises no services. Add them to the agent's configuration.</p>;
  return (
    <ScrollTable label="Services">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Kind</th>
          <th scope="col">Check</th>
          <th scope="col">Detail</th>
          <th scope="col">Since</th>
        </tr>
      </thead>
      <tbody>
        {services.map((s) => (
          <tr key={s.name} data-testid="service-row" data-status={s.stopped ? "stopped" : s.status}>
            <th scope="row">{s.name}</th>
            <td>{s.kind}</td>
            <td>
              {s.stopped ? (
                <Badge tone="low" label="stopped on purpose" />
              ) : (
                <Badge
                  tone={s.status === "up" ? "healthy" : s.status === "down" ? "critical" : "low"}
                  label={s.status}
                />
              )}
            </td>
            <td class="wrap">{s.detail ?? <span class="muted">—</span>}</td>
            <td>
              <Time iso={s.changedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
