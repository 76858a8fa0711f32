import { useEffect, useMemo, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { Link } from 'wouter';
import { LineChart } from '../charts/line-chart';
import { formatMs, StatusBadge } from '../components/status-badge';
import {
  ReliabilityProgressDocument,
  type ReliabilityProgressSubscription,
  ReliabilityTestDetailDocument,
} from '../gql/graphql';

type Progress = ReliabilityProgressSubscription['reliabilityTestProgress'];

/** One test: its progress live (a chart of completed iterations over time), then its result as charts. */
export function ReliabilityTestPage({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({
    query: ReliabilityTestDetailDocument,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const [{ data: progress }] = useSubscription(
    { query: ReliabilityProgressDocument, variables: { id } },
    (list: Progress[] = [], event: ReliabilityProgressSubscription) => [...list, event.reliabilityTestProgress],
  );
  const [finalSeen, setFinalSeen] = useState(false);
  const latest = progress?.at(-1);
  useEffect(() => {
    if (latest && latest.status !== 'RUNNING' && !finalSeen) {
      setFinalSeen(true);
      refetch({ requestPolicy: 'network-only' });
    }
  }, [latest, finalSeen, refetch]);
  const progressData = useMemo(() => {
    const points = progress ?? [];
    return [
      points.map((point) => Date.parse(point.at) / 1000),
      points.map((point) => point.succeeded),
      points.map((point) => point.failed),
    ] as [number[], number[], number[]];
  }, [progress]);

  if (error) return <p role="alert">{error.message}</p>;
  const test = data?.reliabilityTest;
  if (!test) return <p className="loading">Loading…</p>;
  const result = test.result;
  const status = latest?.status ?? test.status;
  return (
    <section>
      <p>
        <Link href="/reliability">← Reliability</Link>
      </p>
      <h1>
        Test {test.testId} ({test.type}) <StatusBadge status={status} />
      </h1>
      <p data-testid="test-progress">
        {latest?.completed ?? test.progress.completed} of {latest?.total ?? test.progress.total} iterations done (
        {latest?.succeeded ?? test.progress.succeeded} succeeded, {latest?.failed ?? test.progress.failed} failed,{' '}
        {latest?.running ?? test.progress.running} running)
      </p>
      <LineChart
        title="Progress"
        series={[
          { label: 'Succeeded', color: '#2da44e' },
          { label: 'Failed', color: '#cf222e' },
        ]}
        data={progressData}
      />
      {result ? (
        <>
          <h2>Result</h2>
          <dl className="facts" data-testid="test-result">
            <dt>Success rate</dt>
            <dd>{(result.successRate * 100).toFixed(1)} %</dd>
            <dt>Rollback success rate</dt>
            <dd>
              {result.rollbackSuccessRate === null || result.rollbackSuccessRate === undefined
                ? '–'
                : `${(result.rollbackSuccessRate * 100).toFixed(1)} %`}
            </dd>
            <dt>Throughput</dt>
            <dd>{result.throughputPerSec.toFixed(1)} handoffs/s</dd>
            <dt>Latency p50 / p95 / p99 / max</dt>
            <dd>
              {formatMs(result.latencyMs?.p50)} / {formatMs(result.latencyMs?.p95)} / {formatMs(result.latencyMs?.p99)}{' '}
              / {formatMs(result.latencyMs?.max)}
            </dd>
          </dl>
          <LineChart
            title="Latency per window (ms)"
            time={false}
            series={[
              { label: 'p50', color: '#1f6feb' },
              { label: 'p95', color: '#bf8700' },
              { label: 'p99', color: '#cf222e' },
            ]}
            data={[
              result.windows.map((window) => window.index),
              result.windows.map((window) => window.latencyMs?.p50 ?? null),
              result.windows.map((window) => window.latencyMs?.p95 ?? null),
              result.windows.map((window) => window.latencyMs?.p99 ?? null),
            ]}
          />
        </>
      ) : test.error ? (
        <p role="alert">{test.error}</p>
      ) : null}
    </section>
  );
}
