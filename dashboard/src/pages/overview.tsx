import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { LineChart } from '../charts/line-chart';
import { formatMs, StatusBadge } from '../components/status-badge';
import {
  OverviewDocument,
  OverviewSeriesDocument,
  type OverviewSeriesQuery,
  type SeriesResolution,
} from '../gql/graphql';
import { QueuePanel } from './queue-panel';
import { RecentFailures } from './recent-failures';

const REFRESH_MS = 5000;

/** The ranges the Overview offers, each read at a resolution that gives a readable number of points. */
export const RANGES: { label: string; ms: number; resolution: SeriesResolution }[] = [
  { label: 'Last hour', ms: 3_600_000, resolution: 'MINUTE' },
  { label: 'Last 6 hours', ms: 6 * 3_600_000, resolution: 'FIVE_MINUTES' },
  { label: 'Last 24 hours', ms: 24 * 3_600_000, resolution: 'FIFTEEN_MINUTES' },
  { label: 'Last 7 days', ms: 7 * 24 * 3_600_000, resolution: 'HOUR' },
  { label: 'Last 30 days', ms: 30 * 24 * 3_600_000, resolution: 'SIX_HOURS' },
];

type Points = OverviewSeriesQuery['insightSeries']['points'];

/** "—" where there is nothing to rate. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;
}

/**
 * The Overview: what happened over the chosen range, from the series the server stores (so it is
 * there the moment the page opens, after a restart too), handoffs by status now (each opening the
 * list filtered to it), the latest failures with Retry, and the queue per fair-share key.
 */
export function Overview() {
  const [rangeIndex, setRangeIndex] = useState(0);
  const range = RANGES[rangeIndex];
  // The range's start, moved on with each refresh so the chart keeps showing the last hour (or day…).
  const [now, setNow] = useState(() => Date.now());
  const from = useMemo(() => new Date(now - range.ms).toISOString(), [now, range.ms]);
  const [{ data, error }, refetch] = useQuery({ query: OverviewDocument });
  const [{ data: series, error: seriesError }] = useQuery({
    query: OverviewSeriesDocument,
    variables: { from, resolution: range.resolution },
  });
  useEffect(() => {
    const timer = setInterval(() => {
      refetch({ requestPolicy: 'network-only' });
      setNow(Date.now());
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);
  const handoffs = data?.metrics.handoffs;
  const online = data?.agents.edges.filter((edge) => edge.node.status !== 'OFFLINE').length ?? 0;
  const total = series?.insightSeries.total;
  const failures = total ? total.counts.failed + total.counts.rolledBack + total.counts.rollbackFailed : undefined;
  return (
    <section data-testid="overview" data-ready={data && series ? 'true' : 'false'}>
      <h1>Overview</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {seriesError ? <p role="alert">{seriesError.message}</p> : null}
      <label>
        Range{' '}
        <select value={rangeIndex} onChange={(event) => setRangeIndex(Number(event.target.value))}>
          {RANGES.map((option, index) => (
            <option key={option.label} value={index}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <div className="tiles">
        <Tile label="Handoffs stored" value={handoffs?.total} />
        <Tile label="Running" value={handoffs?.running} />
        <Tile label={`Created (${range.label.toLowerCase()})`} value={total?.counts.created} />
        <Tile label={`Completed (${range.label.toLowerCase()})`} value={total?.counts.completed} />
        <Tile label={`Failed (${range.label.toLowerCase()})`} value={failures} failure={(failures ?? 0) > 0} />
        <Tile label="Success rate" value={total ? percent(total.successRate) : undefined} />
        <Tile
          label="Median duration"
          value={total ? formatMs(total.duration?.p50 ?? null).replace('–', '—') : undefined}
        />
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
      <ul className="by-status" aria-label="Handoffs by status">
        {handoffs?.byStatus.map((entry) => (
          <li key={entry.status}>
            <Link href={`/handoffs?status=${entry.status}`} title={`Show the ${entry.status} handoffs`}>
              <StatusBadge status={entry.status} /> {entry.count}
            </Link>
          </li>
        ))}
      </ul>
      <RecentFailures />
      <SeriesCharts points={series?.insightSeries.points} resolution={range.resolution} />
      <Freshness status={series?.insightStatus} />
      <QueuePanel />
    </section>
  );
}

function Freshness({ status }: { status: OverviewSeriesQuery['insightStatus'] | undefined }) {
  if (!status) return null;
  if (!status.enabled) return <p className="note">Series are off on this server (INSIGHT=0).</p>;
  return (
    <p className="note" data-testid="freshness">
      From the series the server stores
      {status.foldedThrough
        ? `, counted up to ${new Date(status.foldedThrough).toLocaleTimeString()} (${formatMs(status.lagMs)} behind)`
        : ': nothing counted yet'}
      .
    </p>
  );
}

const seconds = (points: Points) => points.map((point) => Date.parse(point.at) / 1000);

function SeriesCharts({ points, resolution }: { points: Points | undefined; resolution: SeriesResolution }) {
  const per = resolution
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace('five', '5')
    .replace('fifteen', '15')
    .replace('six', '6');
  const data = useMemo(() => {
    const list = points ?? [];
    const x = seconds(list);
    return {
      throughput: [
        x,
        list.map((p) => p.counts.started),
        list.map((p) => p.counts.completed),
        list.map((p) => p.counts.failed + p.counts.rolledBack + p.counts.rollbackFailed),
        list.map((p) => p.counts.cancelled),
      ],
      success: [x, list.map((p) => (p.successRate === null ? null : p.successRate * 100))],
      duration: [
        x,
        list.map((p) => p.duration?.p50 ?? null),
        list.map((p) => p.duration?.p90 ?? null),
        list.map((p) => p.duration?.p99 ?? null),
      ],
      steps: [
        x,
        list.map((p) => p.counts.stepAttempts),
        list.map((p) => p.counts.stepFailures),
        list.map((p) => p.counts.stepTimeouts),
      ],
      queue: [x, list.map((p) => p.queueDepthMax), list.map((p) => p.wait?.p90 ?? null)],
    };
  }, [points]);
  return (
    <div className="charts">
      <LineChart
        title="Handoffs"
        description={`per ${per}`}
        series={[
          { label: 'Started', color: '#1f6feb' },
          { label: 'Completed', color: '#2da44e' },
          { label: 'Failed or rolled back', color: '#cf222e' },
          { label: 'Cancelled', color: '#57606a' },
        ]}
        data={data.throughput as never}
      />
      <LineChart
        title="Success rate (%)"
        description="completed ÷ ended; gaps where nothing ended"
        series={[{ label: 'Completed ÷ ended', color: '#8250df' }]}
        data={data.success as never}
        yRange={[0, 100]}
      />
      <LineChart
        title="Duration of completed runs (ms)"
        series={[
          { label: 'p50', color: '#1f6feb' },
          { label: 'p90', color: '#bf8700' },
          { label: 'p99', color: '#cf222e' },
        ]}
        data={data.duration as never}
      />
      <LineChart
        title="Step attempts"
        description={`per ${per}`}
        series={[
          { label: 'Attempts', color: '#1f6feb' },
          { label: 'Failures', color: '#cf222e' },
          { label: 'Timeouts', color: '#bf8700' },
        ]}
        data={data.steps as never}
      />
      <LineChart
        title="Queue"
        description="handoffs waiting to start (most at once) and how long they waited (p90, ms)"
        series={[
          { label: 'Waiting', color: '#1f6feb' },
          { label: 'Wait p90 (ms)', color: '#bf8700' },
        ]}
        data={data.queue as never}
      />
    </div>
  );
}

function Tile({
  label,
  value,
  failure = false,
}: {
  label: string;
  value: string | number | undefined;
  failure?: boolean;
}) {
  return (
    <div className={`tile${failure ? ' tile-failure' : ''}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value ?? '…'}</div>
    </div>
  );
}
