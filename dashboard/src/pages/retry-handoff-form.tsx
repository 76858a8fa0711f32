import { useState } from 'react';
import { type OperationResult, useMutation } from 'urql';
import { RetryHandoffDocument, type RetryHandoffMutation } from '../gql/graphql';
import type { Handoff } from './handoff-actions';

/** The statuses retryHandoff accepts. */
export const RETRYABLE = new Set(['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED']);

/**
 * Retry a failed handoff as its next run, from the server's default restart point or a step chosen here.
 * It names the run shown (expectedRun), so a second click, or a retry someone else made meanwhile, cannot start another run.
 */
export function RetryHandoffForm({
  handoff,
  onRetried,
}: {
  handoff: Handoff;
  onRetried: (result: OperationResult<RetryHandoffMutation>) => void;
}) {
  const [{ fetching }, retry] = useMutation(RetryHandoffDocument);
  const [fromStep, setFromStep] = useState('');
  if (!RETRYABLE.has(handoff.status)) return null;
  return (
    <form
      className="retry"
      aria-label="Retry"
      onSubmit={async (event) => {
        event.preventDefault();
        onRetried(
          await retry({ input: { id: handoff.handoffId, expectedRun: handoff.run, fromStep: fromStep || undefined } }),
        );
      }}
    >
      <label>
        From step{' '}
        <select value={fromStep} onChange={(event) => setFromStep(event.target.value)}>
          <option value="">where it failed (the server's default)</option>
          {handoff.steps.map((step) => (
            <option key={step.id} value={step.id}>
              {step.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={fetching}>
        Retry
      </button>{' '}
      <small>starts run {handoff.run + 1}</small>
    </form>
  );
}
