// A file task's batch (`file.reader.batch.size` reader results): its records encoded as record batches, its dead
// letters, and the position a checkpoint moves to once Kafka acknowledged it. Also how a batch becomes produce
// requests: every record batch of one task batch goes to one partition, the next task batch to the next partition.
import type { FileConnectorSpec } from '../config/spec.js';
import { deadLetterHeaders } from '../kafka/delivery/dead-letter.js';
import type { EncodedBatch, ProduceRequest } from '../kafka/port/kafka-port.js';
import { encodeRecordBatch, type RecordToEncode } from '../kafka/batch/record-batch.js';
import type { FileCheckpoint } from './file-assignment.js';
import type { BadRecord } from './record.js';
import { provenanceHeaders } from './record-batcher.js';

export interface Batch {
  /** The records, encoded (each RecordBatch under the topic's max message bytes). */
  encoded: EncodedBatch[];
  records: number;
  /** Reader results in the batch (records and bad records): the batch is cut at file.reader.batch.size. */
  results: number;
  dead: RecordToEncode[];
  /** Position after the batch's last result (a copy taken when the batch is cut). */
  position: FileCheckpoint;
  bytes: number;
  errors: number;
  lastError?: string;
  filesDone: number;
}

export function emptyBatch(position: FileCheckpoint, filesDone: number): Batch {
  return { encoded: [], records: 0, results: 0, dead: [], position, bytes: 0, errors: 0, filesDone };
}

/** A dead-letter record: the bad record's bytes, its provenance (always), Kafka Connect's error context (if on). */
export function deadLetterRecord(
  r: BadRecord,
  where: { spec: FileConnectorSpec; taskId: number; source: string; generation: string | undefined },
): RecordToEncode {
  const headers: Record<string, string> = provenanceHeaders(where.source, where.generation, r.line, r.endOffset);
  if (where.spec.errors.deadLetterContextHeaders) {
    const context = deadLetterHeaders({
      topic: where.spec.topic,
      connector: where.spec.name,
      taskId: where.taskId,
      stage: 'TASK_POLL',
      reason: r.reason,
    });
    Object.assign(headers, context);
  }
  return {
    value: Buffer.from(r.raw, 'utf8'),
    headers: Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, 'utf8')]),
  };
}

/** Partitions of the topic and the dead-letter topic; each batch takes the next one (sticky per batch). */
export class BatchPartitioner {
  private next = 0;

  constructor(
    private readonly spec: FileConnectorSpec,
    private readonly partitions: { topic: number; deadLetter: number },
  ) {}

  requestsOf(batch: Batch): ProduceRequest[] {
    const n = this.next++;
    const requests: ProduceRequest[] = batch.encoded.map((encoded) => ({
      topic: this.spec.topic,
      partition: n % this.partitions.topic,
      batch: encoded,
    }));
    const dlq = this.spec.errors.deadLetterTopic;
    if (dlq && batch.dead.length > 0) {
      requests.push({ topic: dlq, partition: n % this.partitions.deadLetter, batch: encodeRecordBatch(batch.dead) });
    }
    return requests;
  }
}
