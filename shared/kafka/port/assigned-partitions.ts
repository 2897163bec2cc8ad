// What both consumer adapters share: the partitions assigned to them (no consumer group) and the offset each
// fetches next, moved by assign() and seek() and, after each fetch, by the adapter itself.
import type { FetchPosition } from './kafka-port.js';

export const positionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export abstract class AssignedPartitions {
  /** Per positionKey: the next offset to fetch. */
  protected assigned = new Map<string, FetchPosition>();

  assign(positions: FetchPosition[]): void {
    this.assigned = new Map(positions.map((p) => [positionKey(p.topic, p.partition), { ...p }]));
  }

  seek(position: FetchPosition): void {
    this.assigned.set(positionKey(position.topic, position.partition), { ...position });
  }

  positions(): FetchPosition[] {
    return [...this.assigned.values()].map((p) => ({ ...p }));
  }
}
