import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useLocation } from 'wouter';
import { UserErrors } from '../api/user-errors';
import {
  type HandoffPriority,
  InitiateHandoffDocument,
  ProcedureIdsDocument,
  type ProcedureIdsQuery,
} from '../gql/graphql';

type ProcedureChoice = ProcedureIdsQuery['procedures']['edges'][number]['node'];

const PRIORITIES: HandoffPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** What a procedure asks of a start, in words (empty: it runs as it is). */
export function needsOf(procedure: ProcedureChoice): string[] {
  const needs: string[] = [];
  if (procedure.requiredAgents.length > 0) needs.push(`registered agents ${procedure.requiredAgents.join(', ')}`);
  if (procedure.steps.some((step) => step.kind === 'TRANSFER_CONTEXT' || step.kind === 'AGENT_TASK'))
    needs.push('a target agent');
  if (procedure.requiredContextKeys.length > 0) needs.push(`context keys ${procedure.requiredContextKeys.join(', ')}`);
  if (procedure.validationRules.length > 0)
    needs.push(`a context that passes ${procedure.validationRules.map((rule) => rule.id).join(', ')}`);
  if (procedure.dependencies.length > 0) needs.push(`a completed ${procedure.dependencies.join(', ')} first`);
  return needs;
}

/** The procedure the form starts with: the first that needs nothing beyond a click, else the first. */
function defaultProcedure(procedures: readonly ProcedureChoice[]): string {
  return (procedures.find((procedure) => needsOf(procedure).length === 0) ?? procedures[0])?.procedureId ?? '';
}

/** Starts a handoff of any procedure, with its agents, priority, deadline and a JSON context, then opens it. */
export function StartHandoffForm() {
  const [{ data }] = useQuery({ query: ProcedureIdsDocument });
  const [result, initiate] = useMutation(InitiateHandoffDocument);
  const [, navigate] = useLocation();
  const [procedureId, setProcedureId] = useState('');
  const [handoffId, setHandoffId] = useState('');
  const [sourceAgent, setSourceAgent] = useState('');
  const [targetAgent, setTargetAgent] = useState('');
  const [priority, setPriority] = useState<HandoffPriority>('MEDIUM');
  const [deadlineMinutes, setDeadlineMinutes] = useState('');
  const [metadata, setMetadata] = useState('{}');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const listed = data?.procedures.edges.map((edge) => edge.node) ?? [];
  // The first 100 are offered in a list; past that, any id can be typed (with the listed ones suggested).
  const typed = (data?.procedures.totalCount ?? 0) > listed.length;
  const chosen = procedureId || (typed ? '' : defaultProcedure(listed));
  const chosenProcedure = listed.find((procedure) => procedure.procedureId === chosen);
  const needs = chosenProcedure ? needsOf(chosenProcedure) : null;

  const submit = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadata);
      setJsonError(null);
    } catch (error) {
      setJsonError(`Context is not JSON: ${(error as Error).message}`);
      return;
    }
    const minutes = deadlineMinutes.trim() === '' ? undefined : Number(deadlineMinutes);
    const answer = await initiate({
      input: {
        procedureId: chosen,
        handoffId: handoffId || undefined,
        sourceAgent: sourceAgent || undefined,
        targetAgent: targetAgent || undefined,
        priority,
        deadlineMs: minutes === undefined ? undefined : Math.round(minutes * 60_000),
        metadata: parsed,
      },
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
        {needs ? (
          <p className="note" data-testid="procedure-needs">
            {needs.length === 0 ? 'Runs as it is.' : `Needs ${needs.join('; ')}.`}
          </p>
        ) : null}
        <label>
          Handoff id (optional) <input value={handoffId} onChange={(event) => setHandoffId(event.target.value)} />
        </label>
        <label>
          Source agent{' '}
          <input list="known-agents" value={sourceAgent} onChange={(event) => setSourceAgent(event.target.value)} />
        </label>
        <label>
          Target agent{' '}
          <input list="known-agents" value={targetAgent} onChange={(event) => setTargetAgent(event.target.value)} />
        </label>
        <datalist id="known-agents">
          {data?.agents.edges.map(({ node }) => (
            <option key={node.agentId} value={node.agentId}>
              {node.status}
            </option>
          ))}
        </datalist>
        <label>
          Priority{' '}
          <select value={priority} onChange={(event) => setPriority(event.target.value as HandoffPriority)}>
            {PRIORITIES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          Deadline (minutes, optional){' '}
          <input
            type="number"
            min={1}
            step={1}
            value={deadlineMinutes}
            onChange={(event) => setDeadlineMinutes(event.target.value)}
          />
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
