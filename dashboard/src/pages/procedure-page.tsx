import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { formatMs } from '../components/status-badge';
import { ApplyProcedureAdviceDocument, ProcedureAdviceDocument, type ProcedureAdviceQuery } from '../gql/graphql';
import { percent } from './overview';

type StepAdvice = NonNullable<ProcedureAdviceQuery['procedureAdvice']>['steps'][number];

/** One procedure: its steps, and what its handoffs taught about each (timeout and retry advice with the evidence). */
export function ProcedurePage({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({
    query: ProcedureAdviceDocument,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
  const [applied, apply] = useMutation(ApplyProcedureAdviceDocument);
  const canOperate = useAllows('operate');
  const procedure = data?.procedure;
  const advice = data?.procedureAdvice;
  if (!procedure || !advice) return error ? <p role="alert">{error.message}</p> : <p className="loading">Loading…</p>;
  const advised = advice.steps.filter((step) => step.timeout || step.retry);
  return (
    <section>
      <p>
        <Link href="/procedures">← Procedures</Link>
      </p>
      <h1>
        {procedure.procedureId} v{procedure.version}: {procedure.name}
      </h1>
      <p>{procedure.description}</p>
      <p>
        <Link href={`/handoffs?procedure=${encodeURIComponent(procedure.procedureId)}`}>Its handoffs</Link>
      </p>
      <section className="advice" aria-labelledby="advice-heading" data-testid="advice">
        <h2 id="advice-heading">Advice from v{advice.version}'s handoffs</h2>
        <p className="evidence">
          Timeouts are advised once a step has {advice.timeoutMinSamples} successful attempts, retries once it has{' '}
          {advice.retryMinSamples} retries; reliability tests count too (Reliability page).
        </p>
        {advice.steps.map((step) => (
          <StepAdviceView key={step.stepId} step={step} />
        ))}
        {canOperate && advised.length > 0 ? (
          <p>
            <button
              type="button"
              disabled={applied.fetching}
              onClick={async () => {
                const result = await apply({
                  input: { procedureId: procedure.procedureId, expectedVersion: advice.version },
                });
                if (result.data?.applyProcedureAdvice.procedure) refetch({ requestPolicy: 'network-only' });
              }}
            >
              Apply as version {advice.version + 1}
            </button>{' '}
            <small>
              {`changes the timeouts, attempts and first back-offs of ${advised.map((step) => step.stepName).join(', ')}; running handoffs keep their version`}
            </small>
          </p>
        ) : null}
        {applied.data?.applyProcedureAdvice.procedure ? (
          <p role="status">Stored as version {applied.data.applyProcedureAdvice.procedure.version}.</p>
        ) : null}
        <UserErrors errors={applied.data?.applyProcedureAdvice.userErrors} />
        {applied.error ? <p role="alert">{applied.error.message}</p> : null}
      </section>
    </section>
  );
}

function StepAdviceView({ step }: { step: StepAdvice }) {
  const stats = step.statistics;
  return (
    <article aria-label={`Advice for ${step.stepName}`} data-testid={`advice-${step.stepId}`}>
      <h3>{step.stepName}</h3>
      <p className="evidence">
        Now: timeout {formatMs(step.currentTimeoutMs)}, {step.currentMaxAttempts} attempt(s), first back-off{' '}
        {formatMs(step.currentInitialDelayMs)}.{' '}
        {stats
          ? `${stats.attempts} attempts measured: ${stats.successes} succeeded, ${stats.failures} failed (${stats.timeouts} timed out); ${stats.retrySuccesses} of ${stats.retries} retries succeeded.`
          : 'No attempt measured yet.'}
        {step.durations
          ? ` Successful attempts took p50 ${formatMs(step.durations.p50)}, p90 ${formatMs(step.durations.p90)}, p99 ${formatMs(step.durations.p99)}, p99.9 ${formatMs(step.durations.p999)}.`
          : ''}
      </p>
      {step.timeout ? (
        <p>
          <strong>Timeout: {formatMs(step.timeout.recommendedMs)}</strong>{' '}
          <span className="evidence">
            (would have let {step.timeout.wouldHaveSucceeded} attempts succeed). {step.timeout.explanation}
          </span>
        </p>
      ) : null}
      {step.retry ? (
        <p>
          <strong>
            Retries: {step.retry.recommendedMaxAttempts} attempt(s), first back-off{' '}
            {formatMs(step.retry.recommendedInitialDelayMs)}
          </strong>{' '}
          <span className="evidence">
            (first attempts fail {percent(step.retry.firstFailureRate)}, retries succeed{' '}
            {percent(step.retry.retrySuccessRate)}). {step.retry.explanation}
          </span>
        </p>
      ) : null}
      {step.pending.length > 0 ? <p className="evidence">Not yet: {step.pending.join('; ')}.</p> : null}
    </article>
  );
}
