import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { UserErrors } from '../api/user-errors';
import { useAllows } from '../api/viewer';
import { formatMs, StatusBadge } from '../components/status-badge';
import {
  RedeliverWebhookDocument,
  SetWebhookEnabledDocument,
  WebhookDeliveriesDocument,
  type WebhookDeliveryStatus,
  WebhookSubscriptionsDocument,
} from '../gql/graphql';

/** Webhook subscriptions (admins only, as the API says): where events go, paused or not. */
export function Webhooks() {
  const canAdminister = useAllows('administer');
  const [{ data, error }] = useQuery({ query: WebhookSubscriptionsDocument, pause: !canAdminister });
  if (!canAdminister) return <NotAllowed />;
  return (
    <section>
      <h1>Webhook subscriptions</h1>
      {error ? <p role="alert">{error.message}</p> : null}
      {data && data.webhookSubscriptions.length === 0 ? (
        <p>None yet: registerWebhook in GraphiQL (see docs/webhooks.md) adds one.</p>
      ) : null}
      {data && data.webhookSubscriptions.length > 0 ? (
        <table aria-label="Webhook subscriptions">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {data.webhookSubscriptions.map((subscription) => (
              <tr key={subscription.id}>
                <td>
                  <Link href={`/webhooks/${encodeURIComponent(subscription.id)}`}>{subscription.url}</Link>
                  {subscription.description ? <small> {subscription.description}</small> : null}
                </td>
                <td>{subscription.eventTypes?.join(', ') ?? 'every event'}</td>
                <td>{subscription.enabled ? 'delivering' : 'paused'}</td>
                <td>{new Date(subscription.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function NotAllowed() {
  return (
    <section>
      <h1>Webhook subscriptions</h1>
      <p>Only an admin key may see webhook subscriptions (their URLs and delivery logs).</p>
    </section>
  );
}

const REFRESH_MS = 2000;

const STATUS_CHOICES: (WebhookDeliveryStatus | '')[] = ['', 'PENDING', 'DELIVERED', 'FAILED'];

/** One subscription: pause or resume it, and its delivery log with every attempt; a failed delivery can go out again. */
export function WebhookPage({ id }: { id: string }) {
  const canAdminister = useAllows('administer');
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const [{ data, error }, refetch] = useQuery({
    query: WebhookDeliveriesDocument,
    variables: { id, status: status ? [status] : undefined },
    pause: !canAdminister,
    requestPolicy: 'cache-and-network',
  });
  // The log is read again every few seconds: deliveries go out in the background.
  useEffect(() => {
    if (!canAdminister) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [canAdminister, refetch]);
  const [toggled, setEnabled] = useMutation(SetWebhookEnabledDocument);
  const [redelivered, redeliver] = useMutation(RedeliverWebhookDocument);
  if (!canAdminister) return <NotAllowed />;
  const subscription = data?.webhookSubscription;
  if (!subscription) return error ? <p role="alert">{error.message}</p> : <p className="loading">Loading…</p>;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <section>
      <p>
        <Link href="/webhooks">← Webhook subscriptions</Link>
      </p>
      <h1>Webhook {subscription.url}</h1>
      <p data-testid="webhook-state">
        {subscription.enabled ? 'Delivering.' : 'Paused: events wait and go out once it is resumed.'}
      </p>
      <button
        type="button"
        disabled={toggled.fetching}
        onClick={async () => {
          await setEnabled({
            input: { id: subscription.id, enabled: !subscription.enabled, expectedVersion: subscription.version },
          });
          reload();
        }}
      >
        {subscription.enabled ? 'Pause deliveries' : 'Resume deliveries'}
      </button>
      <UserErrors errors={toggled.data?.updateWebhook.userErrors} />
      <UserErrors errors={redelivered.data?.redeliverWebhook.userErrors} />
      <h2>Delivery log</h2>
      <label>
        Status{' '}
        <select value={status} onChange={(event) => setStatus(event.target.value as WebhookDeliveryStatus | '')}>
          {STATUS_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {choice || 'any'}
            </option>
          ))}
        </select>
      </label>
      <p>
        {subscription.deliveries.totalCount} deliveries{status ? ` ${status}` : ''} (newest 25 shown).
      </p>
      <table aria-label="Delivery log">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Handoff</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {subscription.deliveries.edges.map(({ node }) => {
            const last = node.attempts.at(-1);
            return (
              <tr key={node.id} data-testid={`delivery-${node.eventKey}`}>
                <td>
                  {node.eventType} <small>#{node.seq}</small>
                </td>
                <td>
                  <Link href={`/handoffs/${encodeURIComponent(node.handoffId)}`}>{node.handoffId}</Link>
                </td>
                <td>
                  <StatusBadge status={node.status} />
                </td>
                <td>{node.attemptCount}</td>
                <td>
                  {last
                    ? `${last.statusCode ?? 'no answer'}${last.error ? `: ${last.error}` : ''} in ${formatMs(last.durationMs)}`
                    : '—'}
                </td>
                <td>
                  {node.status === 'FAILED' ? (
                    <button
                      type="button"
                      aria-label={`Redeliver ${node.eventKey}`}
                      onClick={async () => {
                        await redeliver({ input: { deliveryId: node.id } });
                        reload();
                      }}
                    >
                      Redeliver
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
