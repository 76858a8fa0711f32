import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { useAllows } from '../api/viewer';
import { formatMs, StatusBadge } from '../components/status-badge';
import {
  type HandoffFilter,
  type HandoffOrder,
  type HandoffRowFragment,
  type HandoffStatus,
  HandoffsDocument,
} from '../gql/graphql';
import { type LiveEvent, useHandoffEvents, useLiveStatus } from '../live/handoff-event-feed';
import { BulkActionBar } from './bulk-action-bar';
import { HandoffFilters, HandoffOrderSelector, NEWEST_FIRST } from './handoff-filters';
import { StartHandoffForm } from './start-handoff-form';

// 50 rows a page keeps the list query under the server's cost limit.
const PAGE_SIZE = 50;

const STATUS_WORDS = new Set<string>([
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
]);

/** A filter from the address (`?status=FAILED,ROLLED_BACK&procedure=X`): what the Overview's links open. */
export function filterFromSearch(search: string): HandoffFilter {
  const params = new URLSearchParams(search);
  const filter: HandoffFilter = {};
  const statuses = (params.get('status') ?? '').split(',').filter((word) => STATUS_WORDS.has(word));
  if (statuses.length > 0) filter.status = statuses as HandoffStatus[];
  const procedure = params.get('procedure');
  if (procedure) filter.procedureId = [procedure];
  return filter;
}

/** The list with the filter the address names; a new address (another status clicked) starts it again. */
export function HandoffListFromUrl() {
  const search = useSearch();
  return <HandoffList key={search} initialFilter={filterFromSearch(search)} />;
}

/** Handoffs, newest first unless another order is chosen, with the API's filters; more pages load as the end scrolls into view. */
export function HandoffList({ initialFilter = {} }: { initialFilter?: HandoffFilter }) {
  const [filter, setFilter] = useState<HandoffFilter>(initialFilter);
  const [orderBy, setOrderBy] = useState<HandoffOrder>(NEWEST_FIRST);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [generation, setGeneration] = useState(0);
  const [created, setCreated] = useState(0);
  const canOperate = useAllows('operate');

  // A cursor belongs to its filter and order: either changing starts the list again from its first page.
  const reload = (next: HandoffFilter, order: HandoffOrder = orderBy) => {
    setFilter(next);
    setOrderBy(order);
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
      <HandoffFilters filter={filter} onChange={reload} />
      <HandoffOrderSelector order={orderBy} onChange={(order) => reload(filter, order)} />
      {canOperate ? <BulkActionBar filter={filter} /> : null}
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
            <th scope="col">Priority</th>
            <th scope="col">Procedure</th>
            <th scope="col">Step</th>
            <th scope="col">From → to</th>
            <th scope="col">Created</th>
            <th scope="col">Last change</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        {cursors.map((after, index) => (
          <Page
            key={`${generation}:${after ?? ''}`}
            filter={filter}
            orderBy={orderBy}
            after={after}
            isLast={index === cursors.length - 1}
            onMore={(cursor) => setCursors((list) => (list.includes(cursor) ? list : [...list, cursor]))}
          />
        ))}
      </table>
    </section>
  );
}

interface PageProps {
  filter: HandoffFilter;
  orderBy: HandoffOrder;
  after: string | null;
  isLast: boolean;
  onMore: (cursor: string) => void;
}

function Page({ filter, orderBy, after, isLast, onMore }: PageProps) {
  const [{ data, fetching, error }] = useQuery({
    query: HandoffsDocument,
    variables: { first: PAGE_SIZE, after, filter, orderBy },
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
          <td colSpan={9} role="alert">
            {error.message}
          </td>
        </tr>
      ) : null}
      {connection?.edges.map(({ node }) => (
        <Row key={node.handoffId} handoff={node} />
      ))}
      {isLast ? (
        <tr ref={sentinel}>
          <td colSpan={9} className="list-end">
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
      <td>{handoff.priority}</td>
      <td>{handoff.procedure?.procedureId ?? '–'}</td>
      <td>{handoff.currentStep?.name ?? '–'}</td>
      <td>
        {handoff.sourceAgent ?? '–'} → {handoff.targetAgent ?? '–'}
      </td>
      <td>{new Date(handoff.createdAt).toLocaleString()}</td>
      <td>{new Date(handoff.updatedAt).toLocaleString()}</td>
      <td>{formatMs(handoff.durationMs)}</td>
    </tr>
  );
});
