// The file task's read loop: the task's files in order, from the checkpoint; a plain file (or its byte range) is read
// from the checkpoint's byte offset, an archive entry by entry (archives/); each reader result moves the position in
// place and fills the batch being built, and a batch boundary is where the task sends, and stops when asked to.
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { errorText } from '../runtime/error-text.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { openEntries } from './archives/index.js';
import { sourceName, type AssignedFile } from './file-assignment.js';
import { baseName, formatForName, matchesFileRegexp } from './file-format.js';
import { NO_LEASE } from './file-source-connector.js';
import { BadData, isControl, OwnershipLost, TaskFailure, type TaskOutcome } from './file-task-control.js';
import { FileTaskCheckpoints } from './file-task-checkpoints.js';
import { deadLetterRecord } from './file-task-batch.js';
import { pumpRecords, rangeOpenOffset } from './readers/read-records.js';
import { objectSlices } from '../storage/object-slice.js';
import type { RecordOutput } from './readers/record-output.js';
import type { BadRecord } from './record.js';

export abstract class FileTaskReadLoop extends FileTaskCheckpoints {
  protected storage!: ObjectStorage;

  protected async load(): Promise<TaskOutcome> {
    for (let i = this.position.fileIndex; i < this.files.length; i++) {
      const file = this.files[i];
      try {
        if (file.format === 'parquet' && file.archive === 'none') await this.loadParquet(file, i);
        else if (file.archive === 'none') await this.loadPlain(file, i);
        else await this.loadArchive(file, i);
      } catch (err) {
        if (isControl(err)) throw err;
        if (this.options.kill?.aborted) throw new OwnershipLost('killed');
        // Storage (or a broken stream) failed: the message names the file; no stack.
        throw new TaskFailure(`${file.uri}: ${errorText(err)}`);
      }
      this.filesDone = i + 1;
      this.position = { fileIndex: i + 1, offset: 0, line: 0, entryIndex: 0, entryRecords: 0 };
    }
    await this.sendBatch();
    await this.flush();
    await this.commit();
    await this.write({ state: 'FINISHED', lease: NO_LEASE, checkpoint: this.position, progress: this.progress() });
    this.log.info('task finished', { records: this.acked.records, errors: this.acked.errors });
    return 'finished';
  }

  private async loadPlain(file: AssignedFile, index: number): Promise<void> {
    const resumeAt = index === this.position.fileIndex && this.position.offset > 0 ? this.position.offset : undefined;
    const rangeStart = resumeAt ?? file.range?.start ?? 0;
    const open = rangeOpenOffset(rangeStart, this.spec.reader);
    // pumpRecords keeps no chunk once it asks for the next (the line splitter copies a line's start), so the
    // storage may reuse its read buffers.
    const input: Readable = this.storage.read(file.uri, {
      range: { start: open },
      ...(file.generation && { generation: file.generation }),
      transientChunks: true,
    });
    const source = sourceName(file.uri);
    this.batcher.startSource(source, file.generation);
    // Mutated in place per record (no object per record); a batch copies it when it is cut.
    const p = this.position;
    p.fileIndex = index;
    p.entryIndex = 0;
    p.entryRecords = 0;
    if (resumeAt === undefined) p.line = 0;
    let offset = rangeStart;
    const moved = (line: number | undefined, end: number): void => {
      this.batch.bytes += end - offset;
      offset = end;
      if (line !== undefined) p.line = line;
      p.offset = end;
      if (++this.batch.results >= this.spec.reader.batchSize) this.cut();
    };
    const output: RecordOutput = {
      record: (buf, s, e, line, end) => {
        this.batcher.append(buf, s, e, line, end);
        this.batch.records++;
        moved(line, end);
      },
      bad: (r) => {
        this.takeBad(r, source, file.generation);
        moved(r.line, r.endOffset);
      },
    };
    await this.pump(
      pumpRecords(
        input,
        {
          format: file.format,
          reader: this.spec.reader,
          skipHeader: this.spec.reader.header,
          startOffset: open,
          rangeStart,
          ...(file.range && { endOffset: file.range.end }),
        },
        output,
      ),
    );
  }

  /**
   * A Parquet file (or the row groups starting in its byte range): the position is (row group, row) in
   * (entryIndex, entryRecords), and `offset` the row group's first byte. A file whose footer cannot be read (bad magic,
   * truncated) is one bad record; so is a row group that cannot be decoded (corrupt page, unsupported codec), and the
   * next row groups are still read.
   */
  private async loadParquet(file: AssignedFile, index: number): Promise<void> {
    const resuming = index === this.position.fileIndex;
    const source = sourceName(file.uri);
    this.batcher.startSource(source, file.generation);
    const slices = objectSlices(this.storage, file.uri, file.size, file.generation);
    // Loaded on first use: hyparquet and its codecs (~45 modules) cost every other run's start-up ~0.05 s of CPU.
    const { readParquet, readParquetFooter } = await import('./readers/parquet-reader.js');
    const { parquetDecodeThread, readParquetOnThread } = await import('./readers/parquet-thread.js');
    let metadata;
    try {
      metadata = await readParquetFooter(slices);
    } catch (err) {
      if (this.options.kill?.aborted) throw new OwnershipLost('killed');
      const reason = `not a readable Parquet file: ${errorText(err)}`;
      this.takeBad({ kind: 'bad', raw: '', endOffset: file.size, reason }, source, file.generation);
      if (++this.batch.results >= this.spec.reader.batchSize) this.cut();
      return;
    }
    const p = this.position;
    const fromRowGroup = resuming ? p.entryIndex : 0;
    const fromRow = resuming ? p.entryRecords : 0;
    p.fileIndex = index;
    p.line = 0;
    const options = {
      ...(file.range && { range: file.range }),
      fromRowGroup,
      fromRow,
      maxRowGroupBytes: this.spec.reader.parquetMaxRowGroupBytes,
      sliceRows: this.spec.reader.batchSize,
    };
    // Decoding on a thread of its own (parquet-thread.ts) when the part to read is large and there is a core for it.
    const events = parquetDecodeThread(file.range ? file.range.end - file.range.start : file.size)
      ? readParquetOnThread(slices, metadata, options, this.log)
      : readParquet(slices, metadata, options);
    const pump = async function* (this: FileTaskReadLoop): AsyncGenerator<void> {
      for await (const ev of events) {
        if (ev.kind === 'bad') {
          p.entryIndex = ev.rowGroup + 1;
          p.entryRecords = 0;
          p.offset = ev.groupStart;
          this.takeBad({ kind: 'bad', raw: '', endOffset: ev.groupStart, reason: ev.reason }, source, file.generation);
          if (++this.batch.results >= this.spec.reader.batchSize) this.cut();
          yield;
          continue;
        }
        p.entryIndex = ev.rowGroup;
        let row = ev.firstRow;
        const { buf, ends } = ev;
        let s = 0;
        for (let k = 0; k < ev.count; k++) {
          // The batch copies the row's bytes (the reader reuses its buffer); dsc.offset is the row's index in the file.
          this.batcher.append(buf, s, ends[k], undefined, ev.fileRow + k);
          s = ends[k];
          this.batch.records++;
          row++;
          // Stored bytes are counted per row, spread evenly over the row group.
          this.batch.bytes +=
            Math.round((ev.groupBytes * row) / ev.groupRows) - Math.round((ev.groupBytes * (row - 1)) / ev.groupRows);
          if (row === ev.groupRows) {
            p.entryIndex = ev.rowGroup + 1;
            p.entryRecords = 0;
          } else p.entryRecords = row;
          if (++this.batch.results >= this.spec.reader.batchSize) this.cut();
        }
        if (ev.last && ev.count === 0) {
          p.entryIndex = ev.rowGroup + 1;
          p.entryRecords = 0;
        }
        yield;
      }
    };
    await this.pump(pump.call(this));
  }

  private async loadArchive(file: AssignedFile, index: number): Promise<void> {
    const resuming = index === this.position.fileIndex;
    const skipEntries = resuming ? this.position.entryIndex : 0;
    const generation = file.generation;
    const open = (range?: { start: number; end?: number }): Readable =>
      this.storage.read(file.uri, { ...(range && { range }), ...(generation && { generation }) });
    // An archive chosen by its own name is read whole; one that is only a container is filtered entry by entry.
    const archiveSelected = matchesFileRegexp(file.uri, this.spec.regexp);
    let entryIndex = -1;
    // The archive's own name (not its URI): a gzip entry is named after it without `.gz`.
    const archiveName = baseName(file.uri.startsWith('file:') ? fileURLToPath(file.uri) : file.uri);
    for await (const entry of openEntries(file.archive, open, { name: archiveName, size: file.size })) {
      entryIndex++;
      if (entryIndex < skipEntries || (!archiveSelected && !matchesFileRegexp(entry.name, this.spec.regexp))) {
        entry.stream?.resume();
        continue;
      }
      const source = sourceName(file.uri, entry.name);
      if (entry.error !== undefined || !entry.stream) {
        this.entryFailed(source, entry.error ?? 'unreadable entry');
        continue;
      }
      const skip = resuming && entryIndex === skipEntries ? this.position.entryRecords : 0;
      this.batcher.startSource(source, generation);
      this.position = { fileIndex: index, offset: 0, line: 0, entryIndex, entryRecords: 0 };
      const p = this.position;
      let n = 0;
      let offset = 0;
      // Every reader result counts (records and bad records alike): a resume skips the first `skip` of them.
      const moved = (line: number | undefined, end: number, counted: boolean): void => {
        if (counted) this.batch.bytes += end - offset;
        offset = end;
        p.line = line ?? 0;
        p.entryRecords = n;
        if (counted && ++this.batch.results >= this.spec.reader.batchSize) this.cut();
      };
      const output: RecordOutput = {
        record: (buf, s, e, line, end) => {
          const counted = ++n > skip;
          if (counted) {
            this.batcher.append(buf, s, e, line, end);
            this.batch.records++;
          }
          moved(line, end, counted);
        },
        bad: (r) => {
          const counted = ++n > skip;
          if (counted) this.takeBad(r, source, generation);
          moved(r.line, r.endOffset, counted);
        },
      };
      const reader = {
        format: formatForName(entry.name),
        reader: this.spec.reader,
        skipHeader: this.spec.reader.header,
      };
      try {
        await this.pump(pumpRecords(entry.stream, reader, output));
      } catch (err) {
        if (isControl(err)) throw err;
        if (this.options.kill?.aborted) throw new OwnershipLost('killed');
        // A corrupt entry (bad gzip data, truncated tar): that entry fails, the next ones are still read.
        this.entryFailed(source, errorText(err));
      }
      this.position = { fileIndex: index, offset: 0, line: 0, entryIndex: entryIndex + 1, entryRecords: 0 };
    }
  }

  /**
   * Runs the reader chunk by chunk: its records went into batches (cut at batch size), which are sent after each
   * chunk; a batch boundary is where the task stops when asked to. Leaving early destroys the input.
   */
  private async pump(chunks: AsyncGenerator<void>): Promise<void> {
    for await (const _ of chunks) {
      await this.sendReady(true);
      this.checkInterrupt();
    }
  }

  /** A bad record under errors.tolerance: fail, or count it and (with a dead-letter topic) dead-letter it. */
  private takeBad(r: BadRecord, source: string, generation: string | undefined): void {
    const where = r.line !== undefined ? `line ${r.line}` : `byte offset ${r.endOffset}`;
    const description = `${source} ${where}: ${r.reason}`;
    if (this.spec.errors.tolerance === 'none') {
      // The records before it are good: they go out (and are checkpointed) before the task fails.
      throw new BadData(description);
    }
    this.batch.errors++;
    this.batch.lastError = description;
    if (!this.spec.errors.deadLetterTopic) return;
    // Dead letters always carry their provenance: they are the records a user has to find in the file.
    this.batch.dead.push(deadLetterRecord(r, { spec: this.spec, taskId: this.message.taskId, source, generation }));
  }

  private entryFailed(source: string, reason: string): void {
    const description = `${source}: ${reason}`;
    if (this.spec.errors.tolerance === 'none') throw new BadData(description);
    this.log.warn('archive entry failed; continuing with the next entry', { source, reason });
    this.failedEntries.push(description);
    this.batch.errors++;
    this.batch.lastError = description;
  }
}
