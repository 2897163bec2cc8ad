// The one way tests wait: on a condition, with a generous deadline, never on a fixed sleep (a loaded CI machine
// makes any fixed pause too short some day). The deadline's error names what was awaited and the last failure.
export interface WaitOptions {
  /** How long before giving up; generous, since it costs nothing when the condition comes true early. */
  timeoutMs?: number;
  /** What is awaited, for the timeout's message. */
  what?: string;
  /** How often the condition is checked. */
  everyMs?: number;
}

/** Resolves with the condition's first value that is neither undefined nor false (a throw counts as not yet). */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 60_000, what = 'the condition', everyMs = 50 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
