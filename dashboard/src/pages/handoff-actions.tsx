import { useState } from 'react';
import { useMutation } from 'urql';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { FINAL_STATUSES } from '../components/status-badge';
import { CancelHandoffDocument, type HandoffDetailQuery, SignalHandoffDocument } from '../gql/graphql';

type Handoff = NonNullable<HandoffDetailQuery['handoff']>;

/** The actions an operator may take on this handoff now; nothing for a viewer (the server refuses them anyway). */
export function HandoffActions({ handoff, onChanged }: { handoff: Handoff; onChanged: () => void }) {
  const canOperate = useAllows('operate');
  const [cancelled, cancel] = useMutation(CancelHandoffDocument);
  const [signalled, signal] = useMutation(SignalHandoffDocument);
  const [reason, setReason] = useState('');
  if (!canOperate || FINAL_STATUSES.has(handoff.status)) return null;
  const waiting = handoff.steps.filter((step) => step.status === 'WAITING' && step.kind === 'AWAIT_SIGNAL');
  const act = async (run: () => Promise<unknown>) => {
    await run();
    onChanged();
  };
  return (
    <div className="actions" role="group" aria-label="Actions">
      <label>
        Reason <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      {waiting.map((step) => (
        <span key={step.id}>
          <button
            type="button"
            onClick={() =>
              act(() =>
                signal({
                  input: { id: handoff.handoffId, step: step.id, outcome: 'APPROVE', reason: reason || undefined },
                }),
              )
            }
          >
            Approve {step.name}
          </button>
          <button
            type="button"
            onClick={() =>
              act(() =>
                signal({
                  input: { id: handoff.handoffId, step: step.id, outcome: 'REJECT', reason: reason || undefined },
                }),
              )
            }
          >
            Reject {step.name}
          </button>
        </span>
      ))}
      {handoff.status !== 'ROLLING_BACK' ? (
        <button
          type="button"
          className="danger"
          onClick={() => act(() => cancel({ input: { id: handoff.handoffId, reason: reason || undefined } }))}
        >
          Cancel handoff
        </button>
      ) : null}
      <UserErrors errors={cancelled.data?.cancelHandoff.userErrors ?? signalled.data?.signalHandoff.userErrors} />
      {cancelled.error || signalled.error ? <p role="alert">{(cancelled.error ?? signalled.error)?.message}</p> : null}
    </div>
  );
}
