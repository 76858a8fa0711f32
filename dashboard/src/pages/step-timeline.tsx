import { useEffect, useState } from 'react';
import { formatMs } from '../components/status-badge';
import type { ProgressEventFragment } from '../gql/graphql';
import { attemptBars } from '../live/attempt-bars';

/** One bar per attempt (compensations hatched), on one time axis; a running attempt grows with the clock. */
export function StepTimeline({ events, live }: { events: readonly ProgressEventFragment[]; live: boolean }) {
  const bars = attemptBars(events);
  const running = live && bars.some((bar) => bar.endMs === null);
  const now = useNow(running);
  if (bars.length === 0) return <p>No step has started yet.</p>;
  const start = Math.min(...bars.map((bar) => bar.startMs));
  const end = Math.max(...bars.map((bar) => bar.endMs ?? now), start + 1);
  const span = end - start;
  return (
    <ol className="timeline" aria-label="Step attempts" data-testid="timeline">
      {bars.map((bar, index) => {
        const barEnd = bar.endMs ?? Math.max(now, bar.startMs);
        const label = `${bar.compensation ? 'Compensation of ' : ''}${bar.step}, attempt ${bar.attempt}: ${bar.outcome} (${formatMs(barEnd - bar.startMs)})`;
        return (
          <li
            key={index}
            className={`bar outcome-${bar.outcome}${bar.compensation ? ' compensation' : ''}`}
            data-outcome={bar.outcome}
          >
            <span className="bar-label">{label}</span>
            <span className="bar-track" aria-hidden="true">
              <span
                className="bar-fill"
                style={{
                  marginLeft: `${((bar.startMs - start) / span) * 100}%`,
                  width: `${Math.max(((barEnd - bar.startMs) / span) * 100, 0.5)}%`,
                }}
              />
            </span>
          </li>
        );
      })}
    </ol>
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
