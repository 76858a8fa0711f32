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
  const [patch, setPatch] = useState('');
  const [patchError, setPatchError] = useState<string | null>(null);
  if (!RETRYABLE.has(handoff.status)) return null;
  return (
    <form
      className="retry"
      aria-label="Retry"
      onSubmit={async (event) => {
        event.preventDefault();
        let metadataPatch: unknown;
        if (patch.trim()) {
          try {
            metadataPatch = JSON.parse(patch);
          } catch (error) {
            setPatchError(`The patch is not JSON: ${(error as Error).message}`);
            return;
          }
        }
        setPatchError(null);
        onRetried(
          await retry({
            input: { id: handoff.handoffId, expectedRun: handoff.run, fromStep: fromStep || undefined, metadataPatch },
          }),
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
      <label>
        Metadata patch (JSON: top-level keys to set, null removes one; optional)
        <textarea
          rows={3}
          value={patch}
          placeholder={`{"tier": "gold"}`}
          onChange={(event) => setPatch(event.target.value)}
        />
      </label>
      {patchError ? <p role="alert">{patchError}</p> : null}
      <button type="submit" disabled={fetching}>
        Retry
      </button>{' '}
      <small>starts run {handoff.run + 1}</small>
    </form>
  );
}
