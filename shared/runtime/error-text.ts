// One line of text for an error from a library: what status and logs show, never a stack or a multi-line dump.
export function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // @google-cloud/* wrap several HTTP errors as "Multiple errors occurred ... 1. Not Found 2. Not Found".
  const multiple = /Multiple errors occurred[^]*?\n\s*1\.\s*([^\n]+)/.exec(message);
  const text = (multiple ? multiple[1] : message).replace(/\s+/g, ' ').trim();
  const code = typeof e?.code === 'number' ? e.code : undefined;
  return code !== undefined && !text.includes(String(code)) ? `${text} (HTTP ${code})` : text;
}
