/** A binary min-heap ordered by a numeric rank: O(log n) push and pop. */
export class MinHeap<T> {
  private readonly items: { rank: number; value: T }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(rank: number, value: T): void {
    const items = this.items;
    items.push({ rank, value });
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent].rank <= items[i].rank) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  /** The lowest-ranked item, left in place; undefined when empty. */
  peek(): { rank: number; value: T } | undefined {
    return this.items[0];
  }

  /** The lowest-ranked item, removed; undefined when empty. */
  pop(): { rank: number; value: T } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left].rank < items[smallest].rank) smallest = left;
        if (right < items.length && items[right].rank < items[smallest].rank) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
