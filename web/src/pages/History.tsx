import { useCallback, useState } from "preact/hooks";
import { getHistory, getStatus } from "../api";
import { HistoryList } from "../components/HistoryList";
import { hostChoices, Options } from "../components/Options";
import { Panel } from "../components/Panel";
import { useLive } from "../live";
import { ISSUE_DATA, usePoll } from "../usePoll";

/** Every recovery action, newest first, optionally for one host. */
export function History() {
  const { intervalMs } = useLive();
  const [host, setHost] = useState("");
  const [limit, setLimit] = useState(100);
  const history = usePoll(
    useCallback((s: AbortSignal) => getHistory(s, { host: host || undefined, limit }), [host, limit]),
    intervalMs,
    ISSUE_DATA,
  );
  const hosts = usePoll(getStatus, 60_000, { live: false });
  const n = history.data?.items.length ?? 0;
  return (
    <>
      <h1>Recovery history</h1>
      <form class="filters" aria-label="Filter history" onSubmit={(e) => e.preventDefault()}>
        <label>
          Host
          <select value={host} onChange={(e) => setHost(e.currentTarget.value)}>
            <option value="">Any host</option>
            <Options choices={hostChoices(hosts.data?.hosts)} />
          </select>
        </label>
      </form>
      <Panel id="history-all" title="Recovery actions" poll={history} aside={<span class="count">{n}</span>}>
        {(list) => (
          <>
            <HistoryList entries={list.items} />
            {list.items.length >= limit && limit < 500 && (
              <button type="button" class="btn small more" onClick={() => setLimit(Math.min(500, limit * 2))}>
                Show more
              </button>
            )}
          </>
        )}
      </Panel>
    </>
  );
}
