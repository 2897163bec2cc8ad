// Follows a tar's header chain beside the extractor, to say where an archive broke and what it then could not read:
// tar-stream stops at the first bad header, so the entries behind it would otherwise vanish without a word.
// Bytes are fed in order; memory stays at one header block plus small extension headers (long names, pax paths).

/** Whether a 512-byte block is a tar header (ustar magic, or a v7 header whose checksum adds up). */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.toString('latin1', 257, 262) === 'ustar') return true;
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(stored) || block[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === stored;
}

const BLOCK = 512;
/** Extension headers (GNU long names, pax records) larger than this are not kept for their names. */
const MAX_EXTENSION = 64 * 1024;
/** Names listed after a corrupt header; more are counted. */
const MAX_NAMES = 20;

export interface TarDamage {
  /** Byte offset (in the tar data) of the first block that should have been a header and was not. */
  offset: number;
  /** Regular files found after it by scanning block by block, which the extractor could not read. */
  unread: string[];
  /** How many more were found beyond those listed. */
  more: number;
}

const text = (b: Buffer, start: number, end: number) => {
  const s = b.toString('utf8', start, end);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

function sizeOf(h: Buffer): number {
  if (h[124] & 0x80) {
    // GNU base-256 for sizes of 8 GiB and over.
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  return parseInt(text(h, 124, 136).trim() || '0', 8) || 0;
}

export class TarScanner {
  private offset = 0;
  private nextHeader = 0;
  private header: Buffer[] = [];
  private headerBytes = 0;
  /** An extension header's data being kept (its type and the bytes so far), and where that data ends. */
  private extension: { type: string; parts: Buffer[]; end: number } | undefined;
  private longName: string | undefined;
  private damagedAt: number | undefined;
  private readonly unread: string[] = [];
  private more = 0;

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const pos = this.offset + at;
      if (pos < this.nextHeader) {
        const take = Math.min(chunk.length - at, this.nextHeader - pos);
        if (this.extension && pos < this.extension.end) {
          this.extension.parts.push(chunk.subarray(at, at + Math.min(take, this.extension.end - pos)));
        }
        at += take;
        continue;
      }
      const take = Math.min(chunk.length - at, BLOCK - this.headerBytes);
      this.header.push(chunk.subarray(at, at + take));
      this.headerBytes += take;
      at += take;
      if (this.headerBytes === BLOCK) this.onHeader(Buffer.concat(this.header));
    }
    this.offset += chunk.length;
  }

  /** Undefined while every header read so far was sound. */
  damage(): TarDamage | undefined {
    if (this.damagedAt === undefined) return undefined;
    return { offset: this.damagedAt, unread: [...this.unread], more: this.more };
  }

  private onHeader(block: Buffer): void {
    const at = this.nextHeader;
    this.header = [];
    this.headerBytes = 0;
    this.endExtension();
    if (block.every((b) => b === 0)) {
      this.nextHeader = at + BLOCK; // end-of-archive blocks (or padding): nothing to follow
      return;
    }
    if (!isTarHeader(block)) {
      // Not a header: from here on, look at every block for the next one.
      this.damagedAt ??= at;
      this.nextHeader = at + BLOCK;
      return;
    }
    const size = sizeOf(block);
    const type = String.fromCharCode(block[156] || 0x30);
    this.nextHeader = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if ((type === 'L' || type === 'x') && size <= MAX_EXTENSION) {
      this.extension = { type, parts: [], end: at + BLOCK + size };
      return;
    }
    const prefix = block.toString('latin1', 257, 262) === 'ustar' ? text(block, 345, 500) : '';
    const name = this.longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    this.longName = undefined;
    if (this.damagedAt === undefined || !(type === '0' || type === '7')) return;
    if (this.unread.length < MAX_NAMES) this.unread.push(name);
    else this.more++;
  }

  /** A finished GNU long-name or pax header names the entry after it. */
  private endExtension(): void {
    const ext = this.extension;
    if (!ext) return;
    this.extension = undefined;
    const data = Buffer.concat(ext.parts).toString('utf8');
    if (ext.type === 'L') this.longName = data.replace(/\0.*$/s, '');
    else {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data);
      if (path) this.longName = path[1];
    }
  }
}

/** One sentence for a broken tar: where it broke, after which entry, and what was not read. */
export function describeTarDamage(archive: string, after: string | undefined, damage: TarDamage | undefined): string {
  const where = damage ? `at byte ${damage.offset} of the tar data` : 'at an unknown offset';
  const previous = after === undefined ? 'before its first entry' : `after entry ${after}`;
  let unread = 'no entry could be found after it';
  if (damage && damage.unread.length > 0) {
    const names = damage.unread.join(', ') + (damage.more > 0 ? ` and ${damage.more} more` : '');
    unread = `entries not read: ${names}`;
  }
  return `corrupt tar header in ${archive} ${where} (${previous}); ${unread}`;
}
