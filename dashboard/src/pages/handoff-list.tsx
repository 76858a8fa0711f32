import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { useAllows } from '../api/viewer';
import { formatMs, StatusBadge } from '../components/status-badge';
import {
  type HandoffFilter,
  type HandoffRowFragment,
  type HandoffStatus,
  HandoffsDocument,
  type HandoffType,
} from '../gql/graphql';
import { type LiveEvent, useHandoffEvents, useLiveStatus } from '../live/handoff-event-feed';
import { StartHandoffForm } from './start-handoff-form';

// 50 rows a page keeps the list query under the server's cost limit.
const PAGE_SIZE = 50;
const TYPES: HandoffType[] = ['PHASE_TRANSITION', 'AGENT_HANDOFF', 'TASK_DELEGATION', 'ESCALATION', 'RECOVERY'];
const STATUSES: HandoffStatus[] = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'PAUSED',
  'ROLLING_BACK',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
];

/** Handoffs, newest first, with the API's filters; more pages load as the end scrolls into view. */
export function HandoffList() {
  const [filter, setFilter] = useState<HandoffFilter>({});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [generation, setGeneration] = useState(0);
  const [created, setCreated] = useState(0);
  const canOperate = useAllows('operate');

  const reload = (next: HandoffFilter) => {
    setFilter(next);
    setCursors([null]);
    setCreated(0);
    setGeneration((value) => value + 1);
  };
  const onEvent = useCallback((event: LiveEvent) => {
    if (event.type === 'HANDOFF_CREATED') setCreated((count) => count + 1);
  }, []);
  useHandoffEvents(onEvent);

  return (
    <section>
      <h1>Handoffs</h1>
      {canOperate ? <StartHandoffForm /> : null}
      <Filters filter={filter} onChange={reload} />
      {created > 0 ? (
        <button type="button" className="new-items" onClick={() => reload(filter)}>
          {created} new handoff{created === 1 ? '' : 's'}: show
        </button>
      ) : null}
      <table className="handoffs" aria-label="Handoffs">
        <thead>
          <tr>
            <th scope="col">Handoff</th>
            <th scope="col">Status</th>
            <th scope="col">Procedure</th>
            <th scope="col">Step</th>
            <th scope="col">From → to</th>
            <th scope="col">Created</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        {cursors.map((after, index) => (
          <Page
            key={`${generation}:${index}`}
            filter={filter}
            after={after}
            isLast={index === cursors.length - 1}
            onMore={(cursor) => setCursors((list) => (list.includes(cursor) ? list : [...list, cursor]))}
          />
        ))}
      </table>
    </section>
  );
}

function Page({
  filter,
  after,
  isLast,
  onMore,
}: {
  filter: HandoffFilter;
  after: string | null;
  isLast: boolean;
  onMore: (cursor: string) => void;
}) {
  const [{ data, fetching, error }] = useQuery({
    query: HandoffsDocument,
    variables: { first: PAGE_SIZE, after, filter },
  });
  const connection = data?.handoffs;
  // The end-of-list row: the next page loads when it comes within 400 px of the viewport.
  const sentinel = useRef<HTMLTableRowElement>(null);
  const next = isLast && connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !next) return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && onMore(next),
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [next, onMore]);
  return (
    <tbody data-testid="handoff-page">
      {error ? (
        <tr>
          <td colSpan={7} role="alert">
            {error.message}
          </td>
        </tr>
      ) : null}
      {connection?.edges.map(({ node }) => (
        <Row key={node.handoffId} handoff={node} />
      ))}
      {isLast ? (
        <tr ref={sentinel}>
          <td colSpan={7} className="list-end">
            {fetching
              ? 'Loading…'
              : connection
                ? `${connection.totalCount} handoff(s)${connection.pageInfo.hasNextPage ? '; scroll for more' : ''}`
                : ''}
          </td>
        </tr>
      ) : null}
    </tbody>
  );
}

const Row = memo(function Row({ handoff }: { handoff: HandoffRowFragment }) {
  const status = useLiveStatus(handoff.handoffId, handoff.status);
  return (
    <tr>
      <td>
        <Link href={`/handoffs/${encodeURIComponent(handoff.handoffId)}`}>{handoff.handoffId}</Link>
      </td>
      <td>
        <StatusBadge status={status} />
      </td>
      <td>{handoff.procedure?.procedureId ?? '–'}</td>
      <td>{handoff.currentStep?.name ?? '–'}</td>
      <td>
        {handoff.sourceAgent ?? '–'} → {handoff.targetAgent ?? '–'}
      </td>
      <td>{new Date(handoff.createdAt).toLocaleString()}</td>
      <td>{formatMs(handoff.durationMs)}</td>
    </tr>
  );
});

function Filters({ filter, onChange }: { filter: HandoffFilter; onChange: (filter: HandoffFilter) => void }) {
  const [agent, setAgent] = useState(filter.agent ?? '');
  const [procedure, setProcedure] = useState(filter.procedureId?.[0] ?? '');
  const [testId, setTestId] = useState(filter.testId ?? '');
  const selected = new Set(filter.status ?? []);
  const toggle = (status: HandoffStatus) => {
    const next = new Set(selected);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    onChange({ ...filter, status: next.size > 0 ? [...next] : undefined });
  };
  return (
    <form
      className="filters"
      aria-label="Filter handoffs"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({
          ...filter,
          agent: agent || undefined,
          procedureId: procedure ? [procedure] : undefined,
          testId: testId || undefined,
        });
      }}
    >
      <fieldset>
        <legend>Status</legend>
        {STATUSES.map((status) => (
          <label key={status}>
            <input type="checkbox" checked={selected.has(status)} onChange={() => toggle(status)} /> {status}
          </label>
        ))}
      </fieldset>
      <label>
        Agent <input value={agent} onChange={(event) => setAgent(event.target.value)} />
      </label>
      <label>
        Procedure <input value={procedure} onChange={(event) => setProcedure(event.target.value)} />
      </label>
      <label>
        Type{' '}
        <select
          value={filter.handoffType?.[0] ?? ''}
          onChange={(event) =>
            onChange({ ...filter, handoffType: event.target.value ? [event.target.value as HandoffType] : undefined })
          }
        >
          <option value="">any</option>
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reliability test <input value={testId} onChange={(event) => setTestId(event.target.value)} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={filter.includeTests ?? false}
          onChange={(event) => onChange({ ...filter, includeTests: event.target.checked })}
        />{' '}
        Include reliability-test traffic
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
