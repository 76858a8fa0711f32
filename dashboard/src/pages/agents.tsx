import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { Link } from 'wouter';
import { formatMs, formatTime, StatusBadge } from '../components/status-badge';
import { AgentFeedDocument, type AgentFeedSubscription, AgentsDocument } from '../gql/graphql';

const REFRESH_MS = 5000;

/** Agents with their status from heartbeats (read again every few seconds), what each is doing, and one agent's feed live. */
export function Agents() {
  const [{ data, error }, refetch] = useQuery({ query: AgentsDocument });
  const [followed, setFollowed] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);
  return (
    <section>
      <h1>Agents</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {data && data.agents.totalCount === 0 ? <p>No agent has registered yet (registerAgent).</p> : null}
      {/* 40 with their latest handoff is what fits under the server's query cost limit. */}
      {data && data.agents.totalCount > data.agents.edges.length ? (
        <p>
          The newest {data.agents.edges.length} of {data.agents.totalCount} agents.
        </p>
      ) : null}
      <table aria-label="Agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Latest handoff</th>
            <th scope="col">Feed</th>
          </tr>
        </thead>
        <tbody>
          {data?.agents.edges.map(({ node }) => (
            <tr key={node.agentId}>
              <td>{node.agentId}</td>
              <td>
                <StatusBadge status={node.status} />
              </td>
              <td>
                {formatTime(node.lastHeartbeatAt)} ({formatMs(node.heartbeatAgeMs)} ago)
              </td>
              <td>{node.capabilities.join(', ') || '–'}</td>
              <td>
                {node.handoffs.edges.map(({ node: handoff }) => (
                  <span key={handoff.handoffId}>
                    <Link href={`/handoffs/${encodeURIComponent(handoff.handoffId)}`}>{handoff.handoffId}</Link> (
                    {handoff.status.toLowerCase()}){' '}
                  </span>
                ))}
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => setFollowed(node.agentId)}
                  aria-pressed={followed === node.agentId}
                >
                  Follow {node.agentId}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {followed ? <AgentFeed key={followed} agentId={followed} /> : null}
    </section>
  );
}

type FeedEntry = AgentFeedSubscription['agentFeed'];

function AgentFeed({ agentId }: { agentId: string }) {
  const [{ data, error }] = useSubscription(
    { query: AgentFeedDocument, variables: { agentId, after: 0 } },
    (list: FeedEntry[] = [], event: AgentFeedSubscription) => [...list, event.agentFeed].slice(-200),
  );
  return (
    <>
      <h2>Feed of {agentId}</h2>
      {error ? <p role="alert">{error.message}</p> : null}
      <ol className="events" aria-live="polite" aria-label={`Feed of ${agentId}`}>
        {data?.map((entry) => (
          <li key={entry.seq}>
            <span className="seq">#{entry.seq}</span> {formatTime(entry.at)} <strong>{entry.type}</strong>{' '}
            {entry.handoffId ?? ''} {entry.step ?? ''}: {entry.message}
          </li>
        ))}
      </ol>
    </>
  );
}
