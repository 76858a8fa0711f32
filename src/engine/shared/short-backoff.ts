/**
 * Waits for something another writer is about to finish, or a store about to answer again: 50 ms,
 * doubling, about 3 s in all. Long enough for a write between its two halves on a store without
 * transactions (MongoDB), or a killed writer's lock to be taken over; short enough that a reader
 * or a step giving up does not stall for long.
 */
export const SHORT_BACKOFF_MS: readonly number[] = [50, 100, 200, 400, 800, 1_600];
