/**
 * What one handoff handed to one agent: the context keys `transfer_context` steps copied into the
 * agent's inbox, their digest, and whether the agent has acknowledged reading exactly that.
 */
export interface ContextDelivery {
  agentId: string;
  handoffId: string;
  /** The keys and values delivered and not withdrawn. */
  values: Record<string, unknown>;
  /** SHA-256 (hex) of the canonical JSON of `values` (object keys sorted at every level). */
  digest: string;
  /** When the first key arrived. */
  deliveredAt: number;
  /** When keys last arrived or were withdrawn. */
  updatedAt: number;
  /** When the agent acknowledged the current values (cleared when they change); null until then. */
  acknowledgedAt: number | null;
  /** Who acknowledged: the API key's name. */
  acknowledgedBy: string | null;
  /** When a withdrawal (rollback) left the delivery empty; null while it holds values. */
  withdrawnAt: number | null;
}

/** The signal a transfer_context step awaiting a receipt waits for: named by the digest, so only a receipt of exactly those values counts. */
export function receiptSignalName(digest: string): string {
  return `receipt:${digest}`;
}
