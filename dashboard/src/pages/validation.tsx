import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { formatTime, StatusBadge } from '../components/status-badge';
import {
  UpdateValidationRuleDocument,
  ValidationRulesDocument,
  type ValidationRulesQuery,
  ValidationSessionsDocument,
} from '../gql/graphql';

type Rule = ValidationRulesQuery['validationRules']['edges'][number]['node'];

/**
 * Rules with severities, 50 at a time in id order (an admin enables, disables and edits conditions),
 * and the latest sessions with per-rule results.
 */
export function Validation() {
  const [{ data, error }] = useQuery({ query: ValidationSessionsDocument });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <section>
      <h1>Validation</h1>
      <h2>Rules</h2>
      {cursors.map((after, index) => (
        <RulePage
          key={after ?? ''}
          after={after}
          isLast={index === cursors.length - 1}
          onMore={(cursor) => setCursors((list) => (list.includes(cursor) ? list : [...list, cursor]))}
        />
      ))}
      <h2>Sessions</h2>
      {error ? <p role="alert">{error.message}</p> : null}
      <table aria-label="Validation sessions">
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Procedure</th>
            <th scope="col">Started</th>
            <th scope="col">Outcome</th>
            <th scope="col">Results</th>
          </tr>
        </thead>
        <tbody>
          {data?.validationSessions.edges.map(({ node }) => (
            <tr key={node.sessionId}>
              <td>{node.sessionId}</td>
              <td>{node.procedureId ?? '–'}</td>
              <td>{formatTime(node.startedAt)}</td>
              <td>
                <StatusBadge status={node.outcome ?? node.status} />
              </td>
              <td>
                {node.results.map((result) => (
                  <div key={result.ruleId}>
                    {result.ruleId} ({result.severity.toLowerCase()}): {result.status.toLowerCase()}, {result.message}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RulePage({
  after,
  isLast,
  onMore,
}: {
  after: string | null;
  isLast: boolean;
  onMore: (cursor: string) => void;
}) {
  const [{ data, error, fetching }] = useQuery({ query: ValidationRulesDocument, variables: { after } });
  const connection = data?.validationRules;
  const next = isLast && connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  return (
    <>
      {error ? <p role="alert">{error.message}</p> : null}
      {connection?.edges.map(({ node: rule }) => (
        <RuleCard key={rule.id} rule={rule} />
      ))}
      {isLast ? (
        <p className="list-end">
          {fetching ? 'Loading…' : connection ? `${connection.totalCount} rule(s)` : ''}{' '}
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

function RuleCard({ rule }: { rule: Rule }) {
  const canAdminister = useAllows('administer');
  const [condition, setCondition] = useState(() => JSON.stringify(rule.condition, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const [result, update] = useMutation(UpdateValidationRuleDocument);
  const saveCondition = () => {
    try {
      void update({ input: { id: rule.id, condition: JSON.parse(condition) } });
      setParseError(null);
    } catch (error) {
      setParseError(`Not JSON: ${(error as Error).message}`);
    }
  };
  const enabled = result.data?.updateValidationRule.rule?.enabled ?? rule.enabled;
  return (
    <article className="rule">
      <h3>
        {rule.id} {rule.name} <StatusBadge status={rule.severity} /> {enabled ? 'enabled' : 'disabled'} (v
        {result.data?.updateValidationRule.rule?.version ?? rule.version})
      </h3>
      <p>{rule.description}</p>
      {canAdminister ? (
        <form
          aria-label={`Condition of ${rule.id}`}
          onSubmit={(event) => {
            event.preventDefault();
            saveCondition();
          }}
        >
          <button type="button" onClick={() => void update({ input: { id: rule.id, enabled: !enabled } })}>
            {enabled ? 'Disable' : 'Enable'} {rule.id}
          </button>
          <label htmlFor={`condition-${rule.id}`}>Condition (JSON)</label>
          <textarea
            id={`condition-${rule.id}`}
            rows={4}
            value={condition}
            onChange={(event) => setCondition(event.target.value)}
            spellCheck={false}
          />
          {parseError ? <p role="alert">{parseError}</p> : null}
          <UserErrors errors={result.data?.updateValidationRule.userErrors} />
          <button type="submit">Save condition</button>
        </form>
      ) : (
        <pre className="json">{condition}</pre>
      )}
    </article>
  );
}
