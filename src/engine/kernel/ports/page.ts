/** One page of a list, newest first, addressed by opaque cursors (keyset pagination in every store). */
export interface PageRequest {
  /** Page size; callers clamp it to the API's limits. */
  first: number;
  /** Opaque cursor of the last item already seen. */
  after?: string | null;
}

export interface Page<T> {
  items: { cursor: string; node: T }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}
