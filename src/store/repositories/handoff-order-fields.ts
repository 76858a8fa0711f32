import type { Handoff } from '../../engine/kernel/handoff/handoff.js';
import { hasRetryingStep, PRIORITY_RANK } from '../../engine/kernel/ports/handoff-order.js';
import type { Collection, StoredDocument } from '../collection.js';
import { metadataForQueries } from './handoff-document-query.js';

/** The fields of a handoff document that list orders and filters read, besides those it always had. */
interface OrderFields {
  updatedAt?: number;
  retrying?: boolean;
  priorityRank?: number;
  metaQuery?: unknown;
}

/**
 * Documents stored before the list orders and filters had their fields get them, from their
 * state (updatedAt: the last time the state shows), a batch at a time.
 */
export async function addOrderFields<D extends StoredDocument & OrderFields>(
  handoffs: Collection<D>,
  toHandoff: (doc: D) => Handoff,
): Promise<void> {
  for (;;) {
    const batch = await handoffs.find({ updatedAt: { $exists: false } }, { limit: 1_000 });
    if (batch.length === 0) return;
    for (const doc of batch) {
      const handoff = toHandoff(doc);
      await handoffs.findOneAndUpdate(
        { _id: doc._id, updatedAt: { $exists: false } },
        {
          $set: {
            updatedAt: handoff.finishedAt ?? handoff.startedAt ?? handoff.createdAt,
            retrying: hasRetryingStep(handoff),
            priorityRank: PRIORITY_RANK[handoff.priority],
            metaQuery: metadataForQueries(handoff.metadata),
          },
        },
      );
    }
  }
}
