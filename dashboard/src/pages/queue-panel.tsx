import { useEffect } from 'react';
import { useQuery } from 'urql';
import { QueueByKeyDocument } from '../gql/graphql';

const REFRESH_MS = 5000;

/** This server process's queue now: running and waiting handoffs, overall and per fair-share key. */
export function QueuePanel() {
  const [{ data, error }, refetch] = useQuery({ query: QueueByKeyDocument });
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);
  const queue = data?.metrics.queue;
  return (
    <section aria-labelledby="queue">
      <h2 id="queue">Queue of this server</h2>
      {error ? <p role="alert">{error.message}</p> : null}
      {queue ? (
        <>
          <p data-testid="queue-summary">
            {queue.running} running of {queue.maxConcurrent} slots, {queue.waiting} waiting;{' '}
            {queue.fairShareKey
              ? `fair share by ${queue.fairShareKey}, ${queue.fairShareLimit} at once per key by default`
              : 'fair share off (one queue for every handoff)'}
            .
          </p>
          {queue.byKey.length > 0 ? (
            <table aria-label="Queue per fair-share key">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Running</th>
                  <th scope="col">Limit</th>
                </tr>
              </thead>
              <tbody>
                {queue.byKey.map((entry) => (
                  <tr key={entry.key ?? '(none)'}>
                    <td>{entry.key ?? '(no key)'}</td>
                    <td>{entry.waiting}</td>
                    <td>{entry.running}</td>
                    <td>{entry.limit ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>Nothing running or waiting.</p>
          )}
          {queue.keyCount > queue.byKey.length ? (
            <p>{queue.keyCount - queue.byKey.length} more keys not shown.</p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
