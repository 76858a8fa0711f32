import { useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { StatusBadge } from '../components/status-badge';
import { RecentFailuresDocument, type RecentFailuresQuery, RetryHandoffDocument } from '../gql/graphql';

const DAY_MS = 24 * 3_600_000;

type Failure = RecentFailuresQuery['handoffs']['edges'][number]['node'];

/** The step that failed: the one marked FAILED, else the one its error code came from. */
function failedStep(handoff: Failure) {
  return handoff.steps.find((step) => step.status === 'FAILED') ?? handoff.steps.find((step) => step.errorCode) ?? null;
}

/** The ten latest handoffs that failed or rolled back in the last day: code, step, when, a link, and Retry. */
export function RecentFailures() {
  const since = useMemo(() => new Date(Date.now() - DAY_MS).toISOString(), []);
  const [{ data, error }, refetch] = useQuery({
    query: RecentFailuresDocument,
    variables: { since },
    requestPolicy: 'cache-and-network',
  });
  const canOperate = useAllows('operate');
  // Rows retried here, as they were: the refetch after a retry no longer lists them (they run again), and a row that
  // vanished at once would leave the operator without the confirmation and the link to the new run.
  const [retried, setRetried] = useState<ReadonlyMap<string, Failure>>(new Map());
  const fetched = data?.handoffs.edges.map((edge) => edge.node) ?? [];
  const failures = [...fetched.filter((handoff) => !retried.has(handoff.handoffId)), ...retried.values()].sort((a, b) =>
    b.updatedAt.localeCompare(a.updatedAt),
  );
  return (
    <section aria-labelledby="recent-failures">
      <h2 id="recent-failures">Recent failures</h2>
      {error ? <p role="alert">{error.message}</p> : null}
      {data && failures.length === 0 ? <p>No handoff failed in the last 24 hours.</p> : null}
      {failures.length > 0 ? (
        <table aria-label="Recent failures" className="failures">
          <thead>
            <tr>
              <th scope="col">Handoff</th>
              <th scope="col">Status</th>
              <th scope="col">Error code</th>
              <th scope="col">Step</th>
              <th scope="col">When</th>
              {canOperate ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {failures.map((handoff) => (
              <FailureRow
                key={handoff.handoffId}
                handoff={handoff}
                canOperate={canOperate}
                retried={retried.has(handoff.handoffId)}
                onRetried={() => {
                  setRetried((before) => new Map(before).set(handoff.handoffId, handoff));
                  refetch({ requestPolicy: 'network-only' });
                }}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {data && data.handoffs.totalCount > failures.length ? (
        <p>
          <Link href="/handoffs?status=FAILED,ROLLED_BACK,ROLLBACK_FAILED">
            All {data.handoffs.totalCount} failures
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function FailureRow({
  handoff,
  canOperate,
  retried,
  onRetried,
}: {
  handoff: Failure;
  canOperate: boolean;
  retried: boolean;
  onRetried: () => void;
}) {
  const [result, retry] = useMutation(RetryHandoffDocument);
  const step = failedStep(handoff);
  return (
    <tr data-testid={`failure-${handoff.handoffId}`}>
      <td>
        <Link href={`/handoffs/${encodeURIComponent(handoff.handoffId)}`}>{handoff.handoffId}</Link>
        <small> {handoff.procedure?.procedureId ?? ''}</small>
      </td>
      <td>
        <StatusBadge status={handoff.status} />
      </td>
      <td>{handoff.errorCode ? <code>{handoff.errorCode}</code> : '—'}</td>
      <td>{step?.name ?? '—'}</td>
      <td>
        <time dateTime={handoff.updatedAt}>{new Date(handoff.updatedAt).toLocaleString()}</time>
      </td>
      {canOperate ? (
        <td>
          {retried ? (
            <Link href={`/handoffs/${encodeURIComponent(handoff.handoffId)}`}>Retried: run {handoff.run + 1}</Link>
          ) : (
            <button
              type="button"
              disabled={result.fetching}
              aria-label={`Retry ${handoff.handoffId}`}
              onClick={async () => {
                const answer = await retry({ input: { id: handoff.handoffId, expectedRun: handoff.run } });
                if (answer.data?.retryHandoff.userErrors.length === 0 && !answer.error) onRetried();
              }}
            >
              Retry
            </button>
          )}
          <UserErrors errors={result.data?.retryHandoff.userErrors} />
          {result.error ? <p role="alert">{result.error.message}</p> : null}
        </td>
      ) : null}
    </tr>
  );
}
