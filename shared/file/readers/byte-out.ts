// A growable output buffer that JSON is written into byte by byte (the Parquet reader's rows).
export class ByteOut {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  /** An integer Number (|n| < 2^53) in decimal. */
  int(n: number): void {
    this.room(17);
    const b = this.buf;
    let p = this.pos;
    if (n < 0) {
      b[p++] = 45;
      n = -n;
    }
    if (n < 10) {
      b[p++] = 48 + n;
      this.pos = p;
      return;
    }
    let len = 2;
    for (let t = 100; t <= n && len < 16; t *= 10) len++;
    let q = p + len;
    while (n >= 10) {
      const d = Math.floor(n / 10);
      b[--q] = 48 + (n - d * 10);
      n = d;
    }
    b[--q] = 48 + n;
    this.pos = p + len;
  }
  /** `n` (an integer, 0 <= n < 10^width) with leading zeros to `width` digits. */
  padded(n: number, width: number): void {
    const b = this.buf;
    let q = this.pos + width;
    this.pos = q;
    for (let i = 0; i < width; i++) {
      const d = Math.floor(n / 10);
      b[--q] = 48 + (n - d * 10);
      n = d;
    }
  }
}
