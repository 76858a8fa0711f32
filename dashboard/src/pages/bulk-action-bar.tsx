import { useState } from 'react';
import { useMutation, useSubscription } from 'urql';
import { UserErrors } from '../api/user-errors';
import {
  type BulkAction,
  BulkOperationProgressDocument,
  type BulkProgressFragment,
  type HandoffFilter,
  StartBulkOperationDocument,
} from '../gql/graphql';

/** The actions the schema's BulkAction offers, with the words the bar uses for each. */
const ACTIONS: { action: BulkAction; verb: string }[] = [
  { action: 'CANCEL', verb: 'Cancel' },
  { action: 'PAUSE', verb: 'Pause' },
  { action: 'RESUME', verb: 'Resume' },
  { action: 'RETRY', verb: 'Retry' },
];

/**
 * One action over every handoff the list's filter matches now (startBulkOperation), asked for in two clicks,
 * its counts followed live (bulkOperationProgress). Operators only; the list hides it from the others.
 */
export function BulkActionBar({ filter }: { filter: HandoffFilter }) {
  const [action, setAction] = useState<BulkAction>(ACTIONS[0].action);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [started, start] = useMutation(StartBulkOperationDocument);
  const [operationId, setOperationId] = useState<string | null>(null);
  const verb = ACTIONS.find((entry) => entry.action === action)?.verb ?? action;

  const run = async () => {
    setConfirming(false);
    const result = await start({ input: { action, filter, reason: reason || undefined } });
    setOperationId(result.data?.startBulkOperation.bulkOperation?.bulkOperationId ?? null);
  };
  return (
    <fieldset className="filters bulk" aria-label="Bulk action">
      <label>
        Bulk action{' '}
        <select value={action} onChange={(event) => setAction(event.target.value as BulkAction)}>
          {ACTIONS.map((entry) => (
            <option key={entry.action} value={entry.action}>
              {entry.verb}
            </option>
          ))}
        </select>
      </label>
      <label>
        Bulk reason <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      {confirming ? (
        <>
          <button type="button" className="danger" onClick={run}>
            Confirm: {verb.toLowerCase()} every matching handoff
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep them
          </button>
        </>
      ) : (
        <button type="button" disabled={started.fetching} onClick={() => setConfirming(true)}>
          {verb} all matching
        </button>
      )}
      <UserErrors errors={started.data?.startBulkOperation.userErrors} />
      {started.error ? <p role="alert">{started.error.message}</p> : null}
      {operationId ? (
        <BulkProgress key={operationId} id={operationId} first={started.data?.startBulkOperation.bulkOperation} />
      ) : null}
    </fieldset>
  );
}

function BulkProgress({ id, first }: { id: string; first: BulkProgressFragment | null | undefined }) {
  const [{ data, error }] = useSubscription({ query: BulkOperationProgressDocument, variables: { id } });
  const operation = data?.bulkOperationProgress ?? first;
  if (error) return <p role="alert">{error.message}</p>;
  if (!operation) return null;
  return (
    <output data-testid="bulk-progress">
      {operation.action} {operation.status}: {operation.done} of {operation.total} done, {operation.skipped} skipped,{' '}
      {operation.refused} refused{operation.error ? ` (${operation.error})` : ''}
    </output>
  );
}
