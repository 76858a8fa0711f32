import { describe, expect, it } from 'vitest';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import {
  afterAttempt,
  newDelivery,
  redeliver,
  type WebhookAttempt,
} from '../../src/engine/webhooks/webhook-delivery.js';
import { type WebhookSubscription, wantsEvent } from '../../src/engine/webhooks/webhook-subscription.js';

const policy = { maxAttempts: 3, initialDelayMs: 1_000, multiplier: 3, maxDelayMs: 3_600_000, jitter: 0 };
const random = seededRandom(1);

function event(overrides: Partial<HandoffEvent> = {}): HandoffEvent {
  return {
    handoffId: 'h:1',
    seq: 4,
    type: 'STEP_SUCCEEDED',
    step: 'a',
    message: 'done',
    status: 'RUNNING',
    at: 0,
    testId: null,
    ...overrides,
  };
}

const subscription = (overrides: Partial<WebhookSubscription> = {}): WebhookSubscription => ({
  id: 's1',
  url: 'http://127.0.0.1/hook',
  eventTypes: null,
  includeTestEvents: false,
  enabled: true,
  description: '',
  secret: 'x'.repeat(32),
  version: 1,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

const failure = (at: number): WebhookAttempt => ({ at, statusCode: 500, error: 'HTTP 500', durationMs: 3 });
const success = (at: number): WebhookAttempt => ({ at, statusCode: 204, error: null, durationMs: 3 });

describe('which events a subscription wants', () => {
  it('takes its event types (null: all) and leaves reliability-test events out unless asked', () => {
    expect(wantsEvent(subscription(), event())).toBe(true);
    expect(wantsEvent(subscription({ eventTypes: ['HANDOFF_COMPLETED'] }), event())).toBe(false);
    expect(wantsEvent(subscription({ eventTypes: ['STEP_SUCCEEDED'] }), event())).toBe(true);
    expect(wantsEvent(subscription(), event({ testId: 't1' }))).toBe(false);
    expect(wantsEvent(subscription({ includeTestEvents: true }), event({ testId: 't1' }))).toBe(true);
  });
});

describe('a delivery through its attempts', () => {
  it('is keyed <handoffId>:<seq> and carries the event as the body', () => {
    const delivery = newDelivery('s1', event(), 7, 100);
    expect(delivery).toMatchObject({
      id: 's1/h:1:4',
      eventKey: 'h:1:4',
      order: 7,
      status: 'PENDING',
      nextAttemptAt: 100,
      attempts: [],
    });
    expect(JSON.parse(delivery.body)).toMatchObject({
      id: 'h:1:4',
      type: 'STEP_SUCCEEDED',
      handoffId: 'h:1',
      seq: 4,
      test: false,
    });
  });

  it('waits 1 s then 3 s between failures, is FAILED after the last allowed attempt, and a redelivery starts a new round', () => {
    let delivery = newDelivery('s1', event(), 0, 0);
    delivery = afterAttempt(delivery, failure(0), policy, random);
    expect(delivery).toMatchObject({ status: 'PENDING', nextAttemptAt: 1_000 });
    delivery = afterAttempt(delivery, failure(1_000), policy, random);
    expect(delivery).toMatchObject({ status: 'PENDING', nextAttemptAt: 4_000 });
    delivery = afterAttempt(delivery, failure(4_000), policy, random);
    expect(delivery).toMatchObject({ status: 'FAILED', nextAttemptAt: null });
    delivery = redeliver(delivery, 10_000);
    expect(delivery).toMatchObject({ status: 'PENDING', nextAttemptAt: 10_000, roundStart: 3 });
    delivery = afterAttempt(delivery, failure(10_000), policy, random);
    expect(delivery).toMatchObject({ status: 'PENDING', nextAttemptAt: 11_000 });
    delivery = afterAttempt(delivery, success(11_000), policy, random);
    expect(delivery).toMatchObject({ status: 'DELIVERED', nextAttemptAt: null });
    expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500, 204]);
  });
});
