import { useEffect } from 'react';
import { useQuery } from 'urql';
import { StatusBadge } from '../components/status-badge';
import { BulkOperationsDocument } from '../gql/graphql';

const REFRESH_MS = 2000;

/** Bulk operations, newest first: what each did to how many handoffs, its progress while it runs, who asked and why. */
export function BulkOperations() {
  const [{ data, error }, refetch] = useQuery({ query: BulkOperationsDocument, variables: { first: 50 } });
  const running = data?.bulkOperations.edges.some(({ node }) => node.status === 'RUNNING') ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, refetch]);
  return (
    <section>
      <h1>Bulk operations</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {data && data.bulkOperations.totalCount === 0 ? (
        <p>None yet: the Handoffs page's bulk action starts one over the handoffs its filter matches.</p>
      ) : null}
      {data && data.bulkOperations.totalCount > 0 ? (
        <table aria-label="Bulk operations">
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Action</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Filter</th>
              <th scope="col">Asked by</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {data.bulkOperations.edges.map(({ node }) => {
              const settled = node.done + node.skipped + node.refused;
              return (
                <tr key={node.bulkOperationId} data-testid={`bulk-${node.bulkOperationId}`}>
                  <td>{node.bulkOperationId}</td>
                  <td>{node.action}</td>
                  <td>
                    <StatusBadge status={node.status} />
                    {node.error ? <small> {node.error}</small> : null}
                  </td>
                  <td>
                    <progress
                      max={Math.max(1, node.total)}
                      value={settled}
                      aria-label={`Progress of ${node.bulkOperationId}`}
                    />{' '}
                    {settled} of {node.total}: {node.done} done, {node.skipped} skipped, {node.refused} refused
                  </td>
                  <td>
                    <code>{JSON.stringify(node.filter)}</code>
                  </td>
                  <td>
                    {node.requestedBy?.keyName ?? '—'}
                    {node.reason ? <small> ({node.reason})</small> : null}
                  </td>
                  <td>{new Date(node.startedAt).toLocaleString()}</td>
                  <td>{node.finishedAt ? new Date(node.finishedAt).toLocaleString() : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
