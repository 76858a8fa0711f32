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

type Procedure = ProceduresQuery['procedures']['edges'][number]['node'];

/**
 * Procedures with their steps, kinds, timeouts, retry policies and compensations, 20 at a time in id
 * order ("Show more" loads the next page); an admin edits one as JSON.
 */
export function Procedures() {
  const canAdminister = useAllows('administer');
  const [editing, setEditing] = useState<{ procedure: Procedure | null } | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // A save starts the list over from the store (new pages, not the cache).
  const [generation, setGeneration] = useState(0);
  return (
    <section>
      <h1>Procedures</h1>
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
            setCursors([null]);
            setGeneration((n) => n + 1);
          }}
        />
      ) : null}
      {cursors.map((after, index) => (
        <ProcedurePage
          key={`${generation}:${after ?? ''}`}
          after={after}
          fresh={generation > 0}
          isLast={index === cursors.length - 1}
          onMore={(cursor) => setCursors((list) => (list.includes(cursor) ? list : [...list, cursor]))}
          onEdit={(procedure) => setEditing({ procedure })}
        />
      ))}
    </section>
  );
}

interface ProcedurePageProps {
  after: string | null;
  /** Read from the server, not the cache (after a save). */
  fresh: boolean;
  isLast: boolean;
  onMore: (cursor: string) => void;
  onEdit: (procedure: Procedure) => void;
}

function ProcedurePage({ after, fresh, isLast, onMore, onEdit }: ProcedurePageProps) {
  const [{ data, error, fetching }] = useQuery({
    query: ProceduresDocument,
    variables: { after },
    requestPolicy: fresh ? 'network-only' : 'cache-first',
  });
  const canAdminister = useAllows('administer');
  const connection = data?.procedures;
  const next = isLast && connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  return (
    <>
      {error ? <p role="alert">{error.message}</p> : null}
      {connection?.edges.map(({ node: procedure }) => (
        <article key={procedure.procedureId} className="procedure">
          <h2>
            <Link href={`/procedures/${encodeURIComponent(procedure.procedureId)}`}>{procedure.procedureId}</Link> v
            {procedure.version}: {procedure.name}
          </h2>
          <p>{procedure.description}</p>
          {canAdminister ? (
            <button type="button" onClick={() => onEdit(procedure)}>
              Edit {procedure.procedureId}
            </button>
          ) : null}
          <StepTable procedure={procedure} />
        </article>
      ))}
      {isLast ? (
        <p className="list-end">
          {fetching ? 'Loading…' : connection ? `${connection.totalCount} procedure(s)` : ''}{' '}
          {next ? (
            <button type="button" onClick={() => onMore(next)}>
              Show more
            </button>
          ) : null}
        </p>
      ) : null}
    </>
  );
}

function StepTable({ procedure }: { procedure: Procedure }) {
  return (
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
              {step.retry.maxAttempts} attempt(s), from {formatMs(step.retry.initialDelayMs)} ×{step.retry.multiplier}{' '}
              up to {formatMs(step.retry.maxDelayMs)}
            </td>
            <td>{step.compensation ? `${step.compensation.name} (${step.compensation.kind})` : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
