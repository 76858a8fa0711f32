/**
 * What an adapter derives from a handoff to store beside its state (the columns and fields its
 * queries read): the status sets its queries filter on, the duration it keeps, whether a step is
 * retrying. Taken from the domain, so adapters and engine can never disagree on them.
 */
export {
  durationMs,
  FINAL_STATUSES,
  isFinal,
  RESUMABLE_STATUSES,
  UNFINISHED_STATUSES,
} from '../handoff/handoff.js';
