// A local file's bytes read into a few buffers that are reused, for a caller that keeps no reference to a chunk once
// it asks for the next (`transientChunks`). `fs.createReadStream` allocates a fresh 1 MiB buffer per read: on a
// 200 MB load that is 200 MB of short-lived external memory, and V8 answers it with a full GC every ~40 ms (~0.1 s
// of CPU, measured with --trace-gc). Here the same four buffers carry the whole file.
//
// Why four are enough: highWaterMark 0 means nothing is read ahead of the consumer except the one read that
// `read()` starts as it hands a chunk over. So while the consumer holds chunk k, at most chunk k+1 is being read,
// into another buffer; k's buffer is refilled with chunk k+4 at the earliest. Each chunk is a new view (subarray)
// on its buffer, so code that caches per Buffer object (NulFinder) sees a new chunk.
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 1 << 20;
const BUFFERS = 4;

export class RecyclingFileStream extends Readable {
  private fd: number | undefined;
  private readonly buffers: Buffer[] = [];
  private next = 0;
  private position: number;

  /** Reads `path` from byte `start` up to `end` (exclusive; the file's end when undefined). */
  constructor(
    private readonly path: string,
    start: number,
    private readonly end: number | undefined,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    super({ highWaterMark: 0 });
    this.position = start;
  }

  override _read(): void {
    // Opened on the first read rather than in _construct: with highWaterMark 0 nothing would ask for a read after
    // construction, and the stream would never start.
    if (this.fd === undefined) {
      open(this.path, 'r', (err, fd) => {
        if (err) return this.destroy(err);
        if (this.destroyed) return close(fd, () => {});
        this.fd = fd;
        this.readChunk(fd);
      });
      return;
    }
    this.readChunk(this.fd);
  }

  private readChunk(fd: number): void {
    const want = this.end === undefined ? this.chunkBytes : Math.min(this.chunkBytes, this.end - this.position);
    if (want <= 0) {
      this.push(null);
      return;
    }
    const i = this.next;
    this.next = (i + 1) % BUFFERS;
    const buffer = (this.buffers[i] ??= Buffer.allocUnsafeSlow(this.chunkBytes));
    read(fd, buffer, 0, want, this.position, (err, n) => {
      if (err) return this.destroy(err);
      if (n === 0) return void this.push(null);
      this.position += n;
      this.push(buffer.subarray(0, n));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return callback(error);
    close(fd, (closeError) => callback(error ?? closeError));
  }
}
