// UTF-8 validation of a byte range, for the JSON writer's strings.
/**
 * Whether `src[start, end)` is well-formed UTF-8 (as isUtf8 decides: no overlong forms, no surrogates, nothing above
 * U+10FFFF), without the view isUtf8 needs: short strings are the common case and a view per string is garbage.
 */
export function validUtf8(src: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = src[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = c === 0xe0 ? 0xa0 : 0x80;
      if (c === 0xed) max = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = c === 0xf0 ? 0x90 : 0x80;
      if (c === 0xf4) max = 0x8f; // nothing above U+10FFFF
    } else return false;
    if (i + need >= end) return false;
    const b1 = src[i + 1];
    if (b1 < min || b1 > max) return false;
    for (let k = 2; k <= need; k++) {
      const b = src[i + k];
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}
