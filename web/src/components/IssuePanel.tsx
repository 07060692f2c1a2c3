import type { Issue, List } from "../types";
import type { Poll } from "../usePoll";
import { IssueList } from "./IssueList";
import { Panel } from "./Panel";

interface Props<L extends List<Issue>> {
  id: string;
  title: string;
  poll: Poll<L>;
  canRecover: boolean;
  onRecovered: () => void;
  /** Said when the list is empty (IssueList has its own default). */
  empty?: string;
}

/** A panel of issues with their count beside the title. */
export function IssuePanel<L extends List<Issue>>({
  id,
  title,
  poll,
  canRecover,
  onRecovered,
  empty,
}: Props<L>) {
  return (
    <Panel
      id={id}
      title={title}
      poll={poll}
      aside={poll.data && <span class="count">{poll.data.items.length}</span>}
    >
      {(list) => (
        <IssueList issues={list.items} canRecover={canRecover} onRecovered={onRecovered} empty={empty} />
      )}
    </Panel>
  );
}
