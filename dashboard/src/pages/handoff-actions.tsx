import { useState } from 'react';
import { type OperationResult, useMutation } from 'urql';
import { type UserErrorEntry, UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { FINAL_STATUSES } from '../components/status-badge';
import {
  CancelHandoffDocument,
  type HandoffDetailQuery,
  PauseHandoffDocument,
  ResumeHandoffDocument,
  SignalHandoffDocument,
} from '../gql/graphql';
import { RETRYABLE, RetryHandoffForm } from './retry-handoff-form';

export type Handoff = NonNullable<HandoffDetailQuery['handoff']>;

/** The statuses pauseHandoff accepts (the server refuses the others with INVALID_STATE). */
const PAUSABLE = new Set(['PENDING', 'RUNNING', 'WAITING']);

/** What the last action answered: its userErrors, or the request's own error. */
interface Feedback {
  userErrors?: readonly UserErrorEntry[];
  error?: string;
}

/**
 * The actions an operator may take on this handoff now: approve or reject a waiting step, pause, resume,
 * cancel, or retry a failed one. Nothing for a viewer (the server refuses them anyway).
 */
export function HandoffActions({ handoff, onChanged }: { handoff: Handoff; onChanged: () => void }) {
  const canOperate = useAllows('operate');
  const [, cancel] = useMutation(CancelHandoffDocument);
  const [, signal] = useMutation(SignalHandoffDocument);
  const [, pause] = useMutation(PauseHandoffDocument);
  const [, resume] = useMutation(ResumeHandoffDocument);
  const [reason, setReason] = useState('');
  const [feedback, setFeedback] = useState<Feedback>({});
  // A pause asked of a step in flight (or waiting) takes effect before the next one: until then the status does not
  // say so. The server keeps the request (pauseRequestedAt); this covers the moment before the page reads it again.
  const [pauseAsked, setPauseAsked] = useState(false);
  if (!canOperate) return null;

  const act = async <T,>(
    run: () => Promise<OperationResult<T>>,
    userErrorsOf: (data: T) => readonly UserErrorEntry[],
  ): Promise<boolean> => {
    const result = await run();
    const userErrors = result.data ? userErrorsOf(result.data) : undefined;
    setFeedback({ userErrors, error: result.error?.message });
    onChanged();
    return !result.error && (userErrors?.length ?? 0) === 0;
  };
  const input = { id: handoff.handoffId, reason: reason || undefined };
  const status = handoff.status;

  if (FINAL_STATUSES.has(status)) {
    if (!RETRYABLE.has(status) && !feedback.userErrors?.length && !feedback.error) return null;
    return (
      <fieldset className="actions" aria-label="Actions">
        <RetryHandoffForm
          handoff={handoff}
          onRetried={(result) =>
            act(
              () => Promise.resolve(result),
              (data) => data.retryHandoff.userErrors,
            )
          }
        />
        <ActionFeedback feedback={feedback} />
      </fieldset>
    );
  }
  const waiting = handoff.steps.filter((step) => step.status === 'WAITING' && step.kind === 'AWAIT_SIGNAL');
  const pausing = (pauseAsked || handoff.pauseRequestedAt != null) && status !== 'PAUSED';
  return (
    <fieldset className="actions" aria-label="Actions">
      <label>
        Reason <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      {waiting.map((step) => (
        <span key={step.id}>
          <button
            type="button"
            onClick={() =>
              act(
                () => signal({ input: { ...input, step: step.id, outcome: 'APPROVE' } }),
                (data) => data.signalHandoff.userErrors,
              )
            }
          >
            Approve {step.name}
          </button>
          <button
            type="button"
            onClick={() =>
              act(
                () => signal({ input: { ...input, step: step.id, outcome: 'REJECT' } }),
                (data) => data.signalHandoff.userErrors,
              )
            }
          >
            Reject {step.name}
          </button>
        </span>
      ))}
      {PAUSABLE.has(status) && !pausing ? (
        <button
          type="button"
          onClick={async () =>
            setPauseAsked(
              await act(
                () => pause({ input }),
                (data) => data.pauseHandoff.userErrors,
              ),
            )
          }
        >
          Pause
        </button>
      ) : null}
      {status === 'PAUSED' || pausing ? (
        <button
          type="button"
          onClick={async () => {
            if (
              await act(
                () => resume({ input: { id: handoff.handoffId } }),
                (data) => data.resumeHandoff.userErrors,
              )
            )
              setPauseAsked(false);
          }}
        >
          Resume
        </button>
      ) : null}
      {pausing ? <output>Pause asked for: it takes effect before the next step or attempt.</output> : null}
      {status !== 'ROLLING_BACK' ? (
        <button
          type="button"
          className="danger"
          onClick={() =>
            act(
              () => cancel({ input }),
              (data) => data.cancelHandoff.userErrors,
            )
          }
        >
          Cancel handoff
        </button>
      ) : null}
      <ActionFeedback feedback={feedback} />
    </fieldset>
  );
}

function ActionFeedback({ feedback }: { feedback: Feedback }) {
  return (
    <>
      <UserErrors errors={feedback.userErrors} />
      {feedback.error ? <p role="alert">{feedback.error}</p> : null}
    </>
  );
}
