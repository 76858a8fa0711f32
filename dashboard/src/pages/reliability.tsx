import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { StatusBadge } from '../components/status-badge';
import { ReliabilityPageDocument, type ReliabilityTestOverrides, StartReliabilityTestDocument } from '../gql/graphql';

/** The six test types (and custom configurations): start one with overrides; the tests run so far. */
export function Reliability() {
  const [{ data, error }] = useQuery({ query: ReliabilityPageDocument, requestPolicy: 'network-only' });
  const canOperate = useAllows('operate');
  return (
    <section>
      <h1>Reliability</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {canOperate && data ? <StartTestForm configs={data.reliabilityTestConfigs} /> : null}
      <h2>Tests</h2>
      <table aria-label="Reliability tests">
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {data?.reliabilityTests.edges.map(({ node }) => (
            <tr key={node.testId}>
              <td>
                <Link href={`/reliability/${encodeURIComponent(node.testId)}`}>{node.testId}</Link>
              </td>
              <td>{node.type}</td>
              <td>
                <StatusBadge status={node.status} />
              </td>
              <td>
                {node.progress.completed} / {node.progress.total}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Config = {
  id: string;
  name: string;
  type: string;
  iterations: number;
  concurrentLimit: number;
  failureRate: number;
};

function StartTestForm({ configs }: { configs: Config[] }) {
  const [configId, setConfigId] = useState(configs[0]?.id ?? '');
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [result, start] = useMutation(StartReliabilityTestDocument);
  const [, navigate] = useLocation();
  const numeric = (name: keyof ReliabilityTestOverrides) => (overrides[name] ? Number(overrides[name]) : undefined);
  const submit = async () => {
    const answer = await start({
      input: {
        configId,
        overrides: {
          iterations: numeric('iterations'),
          concurrentLimit: numeric('concurrentLimit'),
          failureRate: numeric('failureRate'),
          windowMs: numeric('windowMs'),
        },
      },
    });
    const test = answer.data?.startReliabilityTest.test;
    if (test) navigate(`/reliability/${encodeURIComponent(test.testId)}`);
  };
  const field = (name: keyof ReliabilityTestOverrides, label: string) => (
    <label>
      {label}{' '}
      <input
        inputMode="decimal"
        value={overrides[name] ?? ''}
        onChange={(event) => setOverrides({ ...overrides, [name]: event.target.value })}
      />
    </label>
  );
  return (
    <form
      className="start-test"
      aria-label="Start a reliability test"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label>
        Configuration{' '}
        <select value={configId} onChange={(event) => setConfigId(event.target.value)}>
          {configs.map((config) => (
            <option key={config.id} value={config.id}>
              {config.id} ({config.type}, {config.iterations} iterations)
            </option>
          ))}
        </select>
      </label>
      {field('iterations', 'Iterations')}
      {field('concurrentLimit', 'Concurrency')}
      {field('failureRate', 'Failure rate (0–1)')}
      {field('windowMs', 'Window (ms)')}
      <UserErrors errors={result.data?.startReliabilityTest.userErrors} />
      {result.error ? <p role="alert">{result.error.message}</p> : null}
      <button type="submit" disabled={result.fetching}>
        Start test
      </button>
    </form>
  );
}
