import { Fragment, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { formatMs, StatusBadge } from '../components/status-badge';
import type { ProgressEventFragment } from '../gql/graphql';
import { type AttemptBar, attemptBars, lanesOf } from '../live/attempt-bars';

/** A sub-handoff a step started, as the timeline links it. */
export interface TimelineChild {
  handoffId: string;
  status: string;
  parent: { stepId: string } | null;
}

/**
 * One bar per attempt (compensations hatched) on one time axis, in one lane per step: steps that ran at
 * once overlap, a step run once per item has its branches on its lane, and a step that started
 * sub-handoffs links them. A running attempt grows with the clock. Runs after a retry are named.
 */
export function StepTimeline({
  events,
  live,
  subHandoffs = [],
}: {
  events: readonly ProgressEventFragment[];
  live: boolean;
  subHandoffs?: readonly TimelineChild[];
}) {
  const bars = attemptBars(events);
  const running = live && bars.some((bar) => bar.endMs === null);
  const now = useNow(running);
  if (bars.length === 0) return <p>No step has started yet.</p>;
  const start = Math.min(...bars.map((bar) => bar.startMs));
  const end = Math.max(...bars.map((bar) => bar.endMs ?? now), start + 1);
  const axis = { start, span: end - start, now };
  return (
    <ol className="timeline" aria-label="Step attempts" data-testid="timeline">
      {lanesOf(bars).map((lane) => {
        const started = subHandoffs.filter((child) => laneOfStep(child.parent?.stepId ?? '') === lane.step);
        return (
          <Fragment key={lane.step}>
            {lane.branches > 0 || started.length > 0 ? (
              <li className="bar lane-head" data-lane={lane.step}>
                <span className="bar-label">
                  {lane.step}
                  {lane.branches > 0 ? `: ${lane.branches} branch(es) at once` : ''}
                </span>
                <span>
                  {started.map((child) => (
                    <Fragment key={child.handoffId}>
                      sub-handoff{' '}
                      <Link href={`/handoffs/${encodeURIComponent(child.handoffId)}`}>{child.handoffId}</Link>{' '}
                      <StatusBadge status={child.status} />{' '}
                    </Fragment>
                  ))}
                </span>
              </li>
            ) : null}
            {lane.bars.map((bar) => (
              <BarRow
                key={`${bar.run}:${bar.compensation ? 'c' : 's'}:${bar.step}:${bar.attempt}`}
                bar={bar}
                axis={axis}
              />
            ))}
          </Fragment>
        );
      })}
    </ol>
  );
}

function laneOfStep(stepId: string): string {
  return stepId.replace(/\[\d+\]$/, '');
}

function BarRow({ bar, axis }: { bar: AttemptBar; axis: { start: number; span: number; now: number } }) {
  const barEnd = bar.endMs ?? Math.max(axis.now, bar.startMs);
  const label = `${bar.run > 1 ? `Run ${bar.run}: ` : ''}${bar.compensation ? 'Compensation of ' : ''}${bar.step}, attempt ${bar.attempt}: ${bar.outcome} (${formatMs(barEnd - bar.startMs)})`;
  return (
    <li
      className={`bar outcome-${bar.outcome}${bar.compensation ? ' compensation' : ''}${bar.branch !== null ? ' branch' : ''}`}
      data-outcome={bar.outcome}
      data-lane={bar.lane}
    >
      <span className="bar-label">{label}</span>
      <span className="bar-track" aria-hidden="true">
        <span
          className="bar-fill"
          style={{
            marginLeft: `${((bar.startMs - axis.start) / axis.span) * 100}%`,
            width: `${Math.max(((barEnd - bar.startMs) / axis.span) * 100, 0.5)}%`,
          }}
        />
      </span>
    </li>
  );
}

/** The time, ticking once a second while something runs (so the running bar grows). */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
