import type { Page, PageRequest } from '../ports/page.js';
import type { InboxStore } from '../ports/registry-stores.js';
import type { ContextDelivery } from './context-delivery.js';

/** What agents have been handed: their inboxes. */
export class ContextDeliveryService {
  constructor(private readonly inbox: InboxStore) {}

  get(agentId: string, handoffId: string): Promise<ContextDelivery | null> {
    return this.inbox.get(agentId, handoffId);
  }

  /** The agent's deliveries, newest first. */
  page(agentId: string, request: PageRequest): Promise<Page<ContextDelivery>> {
    return this.inbox.page(agentId, request);
  }

  count(agentId: string): Promise<number> {
    return this.inbox.count(agentId);
  }
}
