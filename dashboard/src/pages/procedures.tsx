import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { formatMs } from '../components/status-badge';
import {
  CreateProcedureDocument,
  ProceduresDocument,
  type ProceduresQuery,
  UpdateProcedureDocument,
} from '../gql/graphql';

type Procedure = ProceduresQuery['procedures'][number];

/** Procedures with their steps, kinds, timeouts, retry policies and compensations; an admin edits one as JSON. */
export function Procedures() {
  const [{ data, error }, refetch] = useQuery({ query: ProceduresDocument });
  const canAdminister = useAllows('administer');
  const [editing, setEditing] = useState<{ procedure: Procedure | null } | null>(null);
  return (
    <section>
      <h1>Procedures</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {canAdminister ? (
        <button type="button" onClick={() => setEditing({ procedure: null })}>
          New procedure
        </button>
      ) : null}
      {editing ? (
        <ProcedureEditor
          procedure={editing.procedure}
          onDone={() => {
            setEditing(null);
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      ) : null}
      {data?.procedures.map((procedure) => (
        <article key={procedure.procedureId} className="procedure">
          <h2>
            <Link href={`/procedures/${encodeURIComponent(procedure.procedureId)}`}>{procedure.procedureId}</Link> v
            {procedure.version}: {procedure.name}
          </h2>
          <p>{procedure.description}</p>
          {canAdminister ? (
            <button type="button" onClick={() => setEditing({ procedure })}>
              Edit {procedure.procedureId}
            </button>
          ) : null}
          <table aria-label={`Steps of ${procedure.procedureId}`}>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Kind</th>
                <th scope="col">Timeout</th>
                <th scope="col">Retry</th>
                <th scope="col">Compensation</th>
              </tr>
            </thead>
            <tbody>
              {procedure.steps.map((step) => (
                <tr key={step.id}>
                  <td>{step.name}</td>
                  <td>{step.kind}</td>
                  <td>{formatMs(step.timeoutMs)}</td>
                  <td>
                    {step.retry.maxAttempts} attempt(s), from {formatMs(step.retry.initialDelayMs)} ×
                    {step.retry.multiplier} up to {formatMs(step.retry.maxDelayMs)}
                  </td>
                  <td>{step.compensation ? `${step.compensation.name} (${step.compensation.kind})` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

/** The definition as the input type takes it: what the read gives back, minus read-only fields. */
function editableJson(procedure: Procedure | null): string {
  if (!procedure)
    return JSON.stringify(
      {
        id: 'MY_PROCEDURE',
        name: 'My procedure',
        steps: [{ id: 'first', name: 'First', kind: 'NOOP', timeoutMs: 1000 }],
      },
      null,
      2,
    );
  return JSON.stringify(
    {
      id: procedure.procedureId,
      name: procedure.name,
      description: procedure.description,
      estimatedDurationMs: procedure.estimatedDurationMs,
      requiredContextKeys: procedure.requiredContextKeys,
      requiredAgents: procedure.requiredAgents,
      dependencies: procedure.dependencies,
      blockingSeverities: procedure.blockingSeverities,
      validationRules: procedure.validationRules.map((rule) => rule.id),
      expectedVersion: procedure.version,
      steps: procedure.steps.map((step) => ({
        id: step.id,
        name: step.name,
        kind: step.kind,
        timeoutMs: step.timeoutMs,
        params: step.params,
        validateRules: step.validateRules,
        retry: {
          maxAttempts: step.retry.maxAttempts,
          initialDelayMs: step.retry.initialDelayMs,
          maxDelayMs: step.retry.maxDelayMs,
          multiplier: step.retry.multiplier,
          jitter: step.retry.jitter,
        },
        // Built field by field: what urql reads carries __typename, which no input type takes.
        compensation: step.compensation
          ? {
              id: step.compensation.id,
              name: step.compensation.name,
              kind: step.compensation.kind,
              timeoutMs: step.compensation.timeoutMs,
              params: step.compensation.params,
            }
          : undefined,
      })),
    },
    null,
    2,
  );
}

function ProcedureEditor({ procedure, onDone }: { procedure: Procedure | null; onDone: () => void }) {
  const [text, setText] = useState(() => editableJson(procedure));
  const [parseError, setParseError] = useState<string | null>(null);
  const [created, create] = useMutation(CreateProcedureDocument);
  const [updated, update] = useMutation(UpdateProcedureDocument);
  const payload = procedure ? updated.data?.updateProcedure : created.data?.createProcedure;
  const submit = async () => {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(text) as Record<string, unknown>;
      setParseError(null);
    } catch (error) {
      setParseError(`Not JSON: ${(error as Error).message}`);
      return;
    }
    const answer = procedure ? await update({ input: input as never }) : await create({ input: input as never });
    const result = procedure
      ? (answer.data as { updateProcedure?: { userErrors: unknown[] } } | undefined)?.updateProcedure
      : (answer.data as { createProcedure?: { userErrors: unknown[] } } | undefined)?.createProcedure;
    if (result && result.userErrors.length === 0) onDone();
  };
  return (
    <form
      className="editor"
      aria-label="Procedure definition"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="procedure-json">
        Definition (JSON, as {procedure ? 'UpdateProcedureInput' : 'CreateProcedureInput'})
      </label>
      <textarea
        id="procedure-json"
        rows={18}
        value={text}
        onChange={(event) => setText(event.target.value)}
        spellCheck={false}
      />
      {parseError ? <p role="alert">{parseError}</p> : null}
      <UserErrors errors={payload?.userErrors} />
      {(created.error ?? updated.error) ? <p role="alert">{(created.error ?? updated.error)?.message}</p> : null}
      <button type="submit">Save</button>
      <button type="button" onClick={onDone}>
        Close
      </button>
    </form>
  );
}
