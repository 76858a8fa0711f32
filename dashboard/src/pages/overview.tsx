import { useEffect } from 'react';
import { useQuery } from 'urql';
import { LineChart } from '../charts/line-chart';
import { StatusBadge } from '../components/status-badge';
import { OverviewDocument } from '../gql/graphql';
import { useEventRates } from '../live/event-rates';

const REFRESH_MS = 5000;

/** Handoffs by status now and agents online (the metrics query, read again every few seconds); rates and latencies from the live feed. */
export function Overview() {
  const [{ data, error }, refetch] = useQuery({ query: OverviewDocument });
  const rates = useEventRates();
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);
  const handoffs = data?.metrics.handoffs;
  const online = data?.agents.edges.filter((edge) => edge.node.status !== 'OFFLINE').length ?? 0;
  return (
    <section>
      <h1>Overview</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      <div className="tiles">
        <Tile label="Handoffs" value={handoffs?.total} />
        <Tile label="Running" value={handoffs?.running} />
        <Tile label="Success rate" value={handoffs ? `${(handoffs.successRate * 100).toFixed(1)} %` : undefined} />
        <Tile label="Agents online" value={data ? `${online} of ${data.agents.totalCount}` : undefined} />
        <Tile label="Reliability tests running" value={data?.metrics.reliability.running} />
        <Tile
          label="Active subscriptions"
          value={
            data
              ? `${data.metrics.activeSubscriptions.total} (${data.metrics.activeSubscriptions.webSocket} ws, ${data.metrics.activeSubscriptions.sse} SSE)`
              : undefined
          }
        />
      </div>
      <h2>Handoffs by status</h2>
      <ul className="by-status">
        {handoffs?.byStatus.map((entry) => (
          <li key={entry.status}>
            <StatusBadge status={entry.status} /> {entry.count}
          </li>
        ))}
      </ul>
      <p className="note">
        The charts below fill from the live event feed while this page is open, one point per minute.
      </p>
      <div className="charts">
        <LineChart
          title="Handoffs per minute"
          series={[
            { label: 'Started', color: '#1f6feb' },
            { label: 'Finished', color: '#2da44e' },
          ]}
          data={[rates.x, rates.started, rates.finished]}
        />
        <LineChart
          title="Success rate (%)"
          series={[{ label: 'Completed ÷ finished', color: '#8250df' }]}
          data={[rates.x, rates.successRate]}
          yRange={[0, 100]}
        />
        <LineChart
          title="Step latency (ms)"
          series={[
            { label: 'p50', color: '#1f6feb' },
            { label: 'p95', color: '#bf8700' },
            { label: 'p99', color: '#cf222e' },
          ]}
          data={[rates.x, rates.p50, rates.p95, rates.p99]}
        />
      </div>
    </section>
  );
}

function Tile({ label, value }: { label: string; value: string | number | undefined }) {
  return (
    <div className="tile">
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value ?? '…'}</div>
    </div>
  );
}
