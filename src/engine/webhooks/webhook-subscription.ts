import type { HandoffEvent, HandoffEventType } from '../kernel/handoff/handoff-event.js';

/** An integrator's registration: where handoff events are POSTed, which ones, and the secret they are signed with. */
export interface WebhookSubscription {
  id: string;
  url: string;
  /** The event types delivered; null: every type, including types added later. */
  eventTypes: HandoffEventType[] | null;
  /** Whether events of reliability-test handoffs are delivered too (normally not). */
  includeTestEvents: boolean;
  /** A disabled subscription delivers nothing; its events wait and are delivered once it is enabled again. */
  enabled: boolean;
  description: string;
  /** The HMAC-SHA256 key of the signatures (see webhook-signature.ts). Never shown again after registration. */
  secret: string;
  /** Bumped by every change made through the API: the compare-and-set guard of updates. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** Whether `subscription` wants `event` delivered. */
export function wantsEvent(subscription: WebhookSubscription, event: HandoffEvent): boolean {
  if (event.testId !== null && !subscription.includeTestEvents) return false;
  return subscription.eventTypes === null || subscription.eventTypes.includes(event.type);
}
