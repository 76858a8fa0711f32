import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useLocation } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { InitiateHandoffDocument, ProcedureIdsDocument } from '../gql/graphql';

/** Starts a handoff of any procedure with a JSON context, then opens it. */
export function StartHandoffForm() {
  const [{ data }] = useQuery({ query: ProcedureIdsDocument });
  const [result, initiate] = useMutation(InitiateHandoffDocument);
  const [, navigate] = useLocation();
  const [procedureId, setProcedureId] = useState('');
  const [handoffId, setHandoffId] = useState('');
  const [metadata, setMetadata] = useState('{}');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const listed = data?.procedures.edges.map((edge) => edge.node) ?? [];
  // The first 100 are offered in a list; past that, any id can be typed (with the listed ones suggested).
  const typed = (data?.procedures.totalCount ?? 0) > listed.length;
  const chosen = procedureId || (typed ? '' : listed[0]?.procedureId) || '';

  const submit = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadata);
      setJsonError(null);
    } catch (error) {
      setJsonError(`Context is not JSON: ${(error as Error).message}`);
      return;
    }
    const answer = await initiate({
      input: { procedureId: chosen, handoffId: handoffId || undefined, metadata: parsed },
    });
    const started = answer.data?.initiateHandoff.handoff;
    if (started && answer.data?.initiateHandoff.userErrors.length === 0)
      navigate(`/handoffs/${encodeURIComponent(started.handoffId)}`);
  };

  return (
    <details className="start-handoff">
      <summary>Start a handoff</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label htmlFor="start-procedure">Procedure</label>{' '}
        {typed ? (
          <input
            id="start-procedure"
            list="procedure-ids"
            value={chosen}
            onChange={(event) => setProcedureId(event.target.value)}
          />
        ) : (
          <select id="start-procedure" value={chosen} onChange={(event) => setProcedureId(event.target.value)}>
            {listed.map((procedure) => (
              <option key={procedure.procedureId} value={procedure.procedureId}>
                {procedure.procedureId}: {procedure.name}
              </option>
            ))}
          </select>
        )}
        <datalist id="procedure-ids">
          {typed
            ? listed.map((procedure) => (
                <option key={procedure.procedureId} value={procedure.procedureId}>
                  {procedure.name}
                </option>
              ))
            : null}
        </datalist>
        <label>
          Handoff id (optional) <input value={handoffId} onChange={(event) => setHandoffId(event.target.value)} />
        </label>
        <label>
          Context (JSON)
          <textarea rows={4} value={metadata} onChange={(event) => setMetadata(event.target.value)} />
        </label>
        {jsonError ? <p role="alert">{jsonError}</p> : null}
        <UserErrors errors={result.data?.initiateHandoff.userErrors} />
        {result.error ? <p role="alert">{result.error.message}</p> : null}
        <button type="submit" disabled={result.fetching || !chosen}>
          Start
        </button>
      </form>
    </details>
  );
}
