import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { formatMs, formatTime, StatusBadge } from '../components/status-badge';
import { HandoffDetailDocument } from '../gql/graphql';
import { useHandoffProgress } from '../live/handoff-progress';
import { HandoffActions } from './handoff-actions';
import { StepTimeline } from './step-timeline';

/** One handoff: its steps (a bar per attempt, live), its event log streaming in, its context and deliveries, and what the caller may do. */
export function HandoffDetail({ id }: { id: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({
    query: HandoffDetailDocument,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const { events, ended } = useHandoffProgress(id, data?.handoff?.run);
  const lastSeq = events.at(-1)?.seq ?? 0;

  // The steps and deliveries are read again as events arrive (at most every 250 ms).
  useEffect(() => {
    if (lastSeq === 0) return;
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), 250);
    return () => clearTimeout(timer);
  }, [lastSeq, refetch]);

  // A failed read (the server restarting) keeps the last good one on screen: the live log goes on, and the next event reads again.
  const lastGood = useRef<typeof data>(undefined);
  if (data?.handoff) lastGood.current = data;
  const handoff = data?.handoff ?? lastGood.current?.handoff;
  if (!handoff) {
    if (error) return <p role="alert">{error.message}</p>;
    return fetching ? <p className="loading">Loading…</p> : <p role="alert">No handoff {id}.</p>;
  }
  const definition = handoff.definition?.steps ?? [];
  const inputOf = (stepId: string) => definition.find((step) => step.id === stepId)?.params ?? null;
  const deliveries = [...(handoff.source?.inbox.edges ?? []), ...(handoff.target?.inbox.edges ?? [])]
    .map((edge) => edge.node)
    .filter((delivery) => delivery.handoffId === handoff.handoffId);

  return (
    <section className="handoff-detail">
      <p>
        <Link href="/handoffs">← Handoffs</Link>
      </p>
      <h1>
        Handoff {handoff.handoffId} <StatusBadge status={handoff.status} />
        {handoff.pauseRequestedAt ? (
          <>
            {' '}
            <span className="badge pause-requested" data-testid="pause-requested">
              pause asked at {formatTime(handoff.pauseRequestedAt)}
            </span>
          </>
        ) : null}
      </h1>
      {error ? <p role="alert">Could not read it again ({error.message}); showing what was last read.</p> : null}
      <dl className="facts">
        <dt>Procedure</dt>
        <dd>
          {handoff.procedure?.procedureId ?? '–'} v{handoff.procedureVersion}
        </dd>
        <dt>From → to</dt>
        <dd>
          {handoff.sourceAgent ?? '–'} ({handoff.sourcePhase ?? '–'}) → {handoff.targetAgent ?? '–'} (
          {handoff.targetPhase ?? '–'})
        </dd>
        <dt>Run</dt>
        <dd data-testid="run">{handoff.run}</dd>
        <dt>Started</dt>
        <dd>{formatTime(handoff.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatMs(handoff.durationMs)}</dd>
        {handoff.eta || handoff.slow ? (
          <>
            <dt>Time left</dt>
            <dd data-testid="eta">
              {handoff.eta?.medianMs != null ? (
                <>
                  about {formatMs(handoff.eta.medianMs)} (p90 {formatMs(handoff.eta.p90Ms)}), done around{' '}
                  {handoff.eta.expectedAt ? (
                    <time dateTime={handoff.eta.expectedAt}>{formatTime(handoff.eta.expectedAt)}</time>
                  ) : (
                    '—'
                  )}
                  <small>
                    {' '}
                    from {handoff.eta.samples} completed runs of this version, counting from step {handoff.eta.fromStep}
                  </small>
                </>
              ) : (
                'unknown: it has run longer than every completed one'
              )}{' '}
              {handoff.slow ? (
                <span className="slow-flag" title="Slower than 99% of completed runs of this version">
                  Slow
                </span>
              ) : null}
            </dd>
          </>
        ) : null}
        {handoff.error ? (
          <>
            <dt>Error</dt>
            <dd>
              {handoff.errorCode ? <code>{handoff.errorCode}</code> : null} {handoff.error}
            </dd>
          </>
        ) : null}
        {handoff.deadlineAt ? (
          <>
            <dt>Deadline</dt>
            <dd>
              <time dateTime={handoff.deadlineAt}>{new Date(handoff.deadlineAt).toLocaleString()}</time>
            </dd>
          </>
        ) : null}
        {handoff.pausedAt ? (
          <>
            <dt>Paused</dt>
            <dd>
              since {formatTime(handoff.pausedAt)}
              {handoff.pauseReason ? `: ${handoff.pauseReason}` : ''}
            </dd>
          </>
        ) : null}
        {handoff.cancelReason ? (
          <>
            <dt>Cancel reason</dt>
            <dd>{handoff.cancelReason}</dd>
          </>
        ) : null}
      </dl>
      <HandoffActions handoff={handoff} onChanged={() => refetch({ requestPolicy: 'network-only' })} />
      <h2>Steps</h2>
      <StepTimeline events={events} live={!ended} subHandoffs={handoff.children} />
      <table aria-label="Steps">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Compensation attempts</th>
            <th scope="col">Duration</th>
            <th scope="col">Input</th>
            <th scope="col">Output</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {handoff.steps.map((step) => (
            <tr key={step.id} data-testid={`step-${step.id}`}>
              <td>{step.name}</td>
              <td>{step.kind}</td>
              <td>
                <StatusBadge status={step.status} />
              </td>
              <td>{step.attempts}</td>
              <td>{step.compensationAttempts}</td>
              <td>{formatMs(step.durationMs)}</td>
              <td>
                <Payload label={`Input of ${step.name}`} value={inputOf(step.id)} />
              </td>
              <td>
                <Payload label={`Output of ${step.name}`} value={step.output} />
              </td>
              <td>
                {step.errorCode ? <code>{step.errorCode}</code> : null} {step.error ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Events</h2>
      <EventLog events={events} />
      <h2>Context</h2>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the context scrolls (max-height), and a scrollable region must be reachable by keyboard to be scrolled (WCAG 2.1.1, axe scrollable-region-focusable); focused, it is announced as the "Context" region. */}
      <section className="json" tabIndex={0} aria-label="Context">
        <pre>{JSON.stringify(handoff.metadata, null, 2)}</pre>
      </section>
      <h2>Deliveries to agents' inboxes</h2>
      {deliveries.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {deliveries.map((delivery) => (
            <li key={`${delivery.agentId}:${delivery.digest}`}>
              {delivery.agentId}: {delivery.keys.join(', ')} at {formatTime(delivery.deliveredAt)}
              {delivery.acknowledged ? `, acknowledged ${formatTime(delivery.acknowledgedAt)}` : ', not acknowledged'}
              {delivery.withdrawnAt ? `, withdrawn ${formatTime(delivery.withdrawnAt)}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function EventLog({ events }: { events: ReturnType<typeof useHandoffProgress>['events'] }) {
  const [all, setAll] = useState(false);
  const shown = all ? events : events.slice(-200);
  return (
    <>
      {events.length > shown.length ? (
        <button type="button" onClick={() => setAll(true)}>
          Show all {events.length} events
        </button>
      ) : null}
      <ol className="events" aria-label="Event log" aria-live="polite" data-testid="event-log">
        {shown.map((event) => (
          <li key={event.seq} data-type={event.type}>
            <span className="seq">#{event.seq}</span> <span className="run">run {event.run}</span>{' '}
            <time dateTime={event.at}>{formatTime(event.at)}</time> <strong>{event.type}</strong>
            {event.step ? ` ${event.step}` : ''}
            {event.attempt ? ` (attempt ${event.attempt})` : ''}: {event.message}
            {event.actor ? ` by ${event.actor.keyName}` : ''}
            {event.data && Object.keys(event.data as object).length > 0 ? (
              <Payload label={`Data of event ${event.seq}`} value={event.data} />
            ) : null}
          </li>
        ))}
      </ol>
    </>
  );
}

/** A JSON value folded away behind a summary ("—" when there is none): step inputs, outputs, event data. */
function Payload({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0))
    return <span>—</span>;
  const text = JSON.stringify(value, null, 2);
  return (
    <details className="payload">
      <summary>
        <span className="visually-hidden">{label}: </span>
        {text.length > 40 ? `${text.replace(/\s+/g, ' ').slice(0, 40)}…` : text}
      </summary>
      <pre>{text}</pre>
    </details>
  );
}
