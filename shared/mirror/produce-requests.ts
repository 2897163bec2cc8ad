// Produce requests from the items of one fetch: Kafka takes at most one batch per partition in a Produce request
// (v3+), so each partition's batches go out in order across consecutive requests, one request per target leader
// per round. Position-only items (data skipped: aborted transactions, markers) ride with the next batch.

/** One item in send order: a batch for the target (or none: a position-only step past skipped data). */
export interface SendItem {
  key: string;
  partition: number;
  targetTopic: string;
  bytes?: Buffer;
  records: number;
  bytesOut: number;
  dead?: Buffer;
  /** The partition's position once this item is acknowledged; -1: saves none (a request's dead-letter part). */
  end: bigint;
  failure?: string;
}

/**
 * Groups items into Produce requests: at most one batch per target partition in a request (the broker's rule),
 * one request per target leader, each partition's batches in order across requests.
 */
export function* produceRequests(
  items: SendItem[],
  leaders: Map<string, number[]>,
  dlq: string | undefined,
): Generator<{ node: number; items: SendItem[] }> {
  const queues = new Map<string, SendItem[]>();
  for (const i of items) queues.set(i.key, [...(queues.get(i.key) ?? []), i]);
  while (queues.size > 0) {
    const byNode = new Map<number, SendItem[]>();
    let deadUsed = false;
    for (const [key, q] of queues) {
      // Take position-only items with the next batch; stop at a second batch or a second dead-letter batch.
      const taken: SendItem[] = [];
      let batches = 0;
      while (q.length > 0 && (q[0].bytes === undefined || batches === 0) && !(q[0].dead && deadUsed)) {
        const i = q.shift()!;
        if (i.bytes) batches++;
        if (i.dead) deadUsed = true;
        taken.push(i);
        if (i.failure) break;
      }
      if (q.length === 0) queues.delete(key);
      if (taken.length === 0) continue;
      const node = leaders.get(taken[0].targetTopic)?.[taken[0].partition] ?? -1;
      if (node < 0) throw new Error(`${taken[0].targetTopic}-${taken[0].partition} has no leader on the target`);
      byNode.set(node, [...(byNode.get(node) ?? []), ...taken]);
    }
    for (const [node, its] of byNode) {
      // Dead letters ride with the request to the dead-letter partition's leader only when it is the same broker.
      const dlqNode = dlq ? (leaders.get(dlq)?.[0] ?? -1) : -1;
      // Otherwise the dead letters go first, in their own request that saves no position: acknowledgements are
      // handled in request order, so the records' positions are saved only after their dead letters are in too.
      if (its.some((i) => i.dead) && dlqNode !== node) {
        const dead = its.filter((i) => i.dead);
        yield {
          node: dlqNode,
          items: dead.map((i) => ({ ...i, bytes: undefined, records: 0, bytesOut: 0, end: -1n })),
        };
        yield { node, items: its.map((i) => ({ ...i, dead: undefined })) };
      } else yield { node, items: its };
    }
  }
}
