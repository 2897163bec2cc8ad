// What a reader yields: a record to send, or a bad record to fail on or dead-letter (errors.tolerance).

export interface SourceRecord {
  kind: 'record';
  /** The Kafka record value: a delimited line re-joined with value.default filled in, or a JSON line's text. */
  value: string;
  /** 1-based line number of the record's first line in its file (or archive entry); undefined inside a byte range > 0. */
  line?: number;
  /** Byte offset, in the uncompressed stream, just past this record and its end-of-line: a checkpoint to resume at. */
  endOffset: number;
}

export interface BadRecord {
  kind: 'bad';
  /** What was read, possibly truncated to a sane length for a dead-letter record. */
  raw: string;
  line?: number;
  endOffset: number;
  /** Why the record is bad, for humans: "line longer than file.reader.max.line.bytes (1048576)". */
  reason: string;
}

export type ReadResult = SourceRecord | BadRecord;
