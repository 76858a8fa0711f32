import { useState } from 'react';
import type {
  HandoffFilter,
  HandoffOrder,
  HandoffOrderField,
  HandoffStatus,
  HandoffType,
  SortDirection,
} from '../gql/graphql';

const TYPES: HandoffType[] = ['PHASE_TRANSITION', 'AGENT_HANDOFF', 'TASK_DELEGATION', 'ESCALATION', 'RECOVERY'];
const STATUSES: HandoffStatus[] = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'PAUSED',
  'ROLLING_BACK',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
];
const ORDER_FIELDS: { field: HandoffOrderField; label: string }[] = [
  { field: 'CREATED_AT', label: 'Created' },
  { field: 'UPDATED_AT', label: 'Last change' },
  { field: 'PRIORITY', label: 'Priority' },
];
const DIRECTIONS: { direction: SortDirection; label: string }[] = [
  { direction: 'DESC', label: 'Descending (newest, highest first)' },
  { direction: 'ASC', label: 'Ascending (oldest, lowest first)' },
];

/** A datetime-local field's value (local time, minutes) for an ISO instant, or empty. */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The ISO instant a datetime-local value (local time) stands for, or undefined when empty. */
function fromLocalInput(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** What a metadata value typed in means: JSON when it is JSON (3, true, "text", null), else the text itself. */
function metadataEquals(typed: string): unknown {
  try {
    return JSON.parse(typed);
  } catch {
    return typed;
  }
}

/** The list's default order, the API's too. */
export const NEWEST_FIRST: HandoffOrder = { field: 'CREATED_AT', direction: 'DESC' };

/** What the list is sorted by (the API's orderBy). */
export function HandoffOrderSelector({
  order,
  onChange,
}: {
  order: HandoffOrder;
  onChange: (order: HandoffOrder) => void;
}) {
  return (
    <fieldset className="filters order" aria-label="Order">
      <label>
        Order by{' '}
        <select
          value={order.field}
          onChange={(event) => onChange({ ...order, field: event.target.value as HandoffOrderField })}
        >
          {ORDER_FIELDS.map(({ field, label }) => (
            <option key={field} value={field}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Direction{' '}
        <select
          value={order.direction ?? 'DESC'}
          onChange={(event) => onChange({ ...order, direction: event.target.value as SortDirection })}
        >
          {DIRECTIONS.map(({ direction, label }) => (
            <option key={direction} value={direction}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

/** The API's handoff filters: checkboxes and selects apply at once, text fields with Apply. */
export function HandoffFilters({
  filter,
  onChange,
}: {
  filter: HandoffFilter;
  onChange: (filter: HandoffFilter) => void;
}) {
  const [agent, setAgent] = useState(filter.agent ?? '');
  const [procedure, setProcedure] = useState(filter.procedureId?.[0] ?? '');
  const [testId, setTestId] = useState(filter.testId ?? '');
  const [waitingSeconds, setWaitingSeconds] = useState(filter.waitingLongerThanSeconds?.toString() ?? '');
  const [createdFrom, setCreatedFrom] = useState(toLocalInput(filter.createdAt?.from));
  const [createdBefore, setCreatedBefore] = useState(toLocalInput(filter.createdAt?.before));
  const [metadataPath, setMetadataPath] = useState(filter.metadata?.[0]?.path ?? '');
  const [metadataValue, setMetadataValue] = useState(
    filter.metadata?.[0] ? JSON.stringify(filter.metadata[0].equals) : '',
  );
  const selected = new Set(filter.status ?? []);
  const toggle = (status: HandoffStatus) => {
    const next = new Set(selected);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    onChange({ ...filter, status: next.size > 0 ? [...next] : undefined });
  };
  return (
    <form
      className="filters"
      aria-label="Filter handoffs"
      onSubmit={(event) => {
        event.preventDefault();
        const waitingLongerThanSeconds = waitingSeconds.trim() === '' ? undefined : Number(waitingSeconds);
        const createdAt =
          createdFrom || createdBefore
            ? { from: fromLocalInput(createdFrom), before: fromLocalInput(createdBefore) }
            : undefined;
        onChange({
          ...filter,
          agent: agent || undefined,
          procedureId: procedure ? [procedure] : undefined,
          testId: testId || undefined,
          waitingLongerThanSeconds,
          createdAt,
          metadata: metadataPath.trim()
            ? [{ path: metadataPath.trim(), equals: metadataEquals(metadataValue) }]
            : undefined,
        });
      }}
    >
      <fieldset>
        <legend>Status</legend>
        {STATUSES.map((status) => (
          <label key={status}>
            <input type="checkbox" checked={selected.has(status)} onChange={() => toggle(status)} /> {status}
          </label>
        ))}
      </fieldset>
      <label>
        Agent <input value={agent} onChange={(event) => setAgent(event.target.value)} />
      </label>
      <label>
        Procedure <input value={procedure} onChange={(event) => setProcedure(event.target.value)} />
      </label>
      <label>
        Type{' '}
        <select
          value={filter.handoffType?.[0] ?? ''}
          onChange={(event) =>
            onChange({ ...filter, handoffType: event.target.value ? [event.target.value as HandoffType] : undefined })
          }
        >
          <option value="">any</option>
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reliability test <input value={testId} onChange={(event) => setTestId(event.target.value)} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={filter.includeTests ?? false}
          onChange={(event) => onChange({ ...filter, includeTests: event.target.checked })}
        />{' '}
        Include reliability-test traffic
      </label>
      <label>
        <input
          type="checkbox"
          checked={filter.retrying ?? false}
          onChange={(event) => onChange({ ...filter, retrying: event.target.checked ? true : undefined })}
        />{' '}
        Retrying only
      </label>
      <label>
        Waiting longer than (s){' '}
        <input
          type="number"
          min={0}
          step={1}
          value={waitingSeconds}
          onChange={(event) => setWaitingSeconds(event.target.value)}
        />
      </label>
      <label>
        Created from{' '}
        <input type="datetime-local" value={createdFrom} onChange={(event) => setCreatedFrom(event.target.value)} />
      </label>
      <label>
        Created before{' '}
        <input type="datetime-local" value={createdBefore} onChange={(event) => setCreatedBefore(event.target.value)} />
      </label>
      <span className="metadata-filters">
        <label>
          Metadata path{' '}
          <input
            value={metadataPath}
            placeholder="customer.tier"
            onChange={(event) => setMetadataPath(event.target.value)}
          />
        </label>
        <label>
          equals{' '}
          <input
            value={metadataValue}
            placeholder='"gold" or 3 or true'
            onChange={(event) => setMetadataValue(event.target.value)}
          />
        </label>
      </span>
      <button type="submit">Apply</button>
    </form>
  );
}
