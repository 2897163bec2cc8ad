// The GCS service account's private key is checked when the config is read, so a key pasted incompletely (the seed's
// own example elides its middle with a `...` line) fails `dsc validate`/`dsc create` naming the key and the line,
// not a run with an authentication error. Messages never quote the key.
import { createPrivateKey } from 'node:crypto';

const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/**
 * Why `pem` (newlines already unescaped) is not a usable private key, or undefined when it is. `badPart` is the first
 * line of it that cannot belong to a PEM key (not base64, not a boundary), to find it in the file.
 */
export function privateKeyProblem(pem: string): { message: string; badPart?: string } | undefined {
  try {
    createPrivateKey({ key: pem, format: 'pem' });
    return undefined;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const message =
      `is not a parseable PEM private key (${reason}): ` +
      `paste the whole private_key of the service account's JSON key file`;
    const badPart = pem
      .split('\n')
      .map((l) => l.trim())
      .find((l) => !l.startsWith('-----') && !BASE64_LINE.test(l));
    if (badPart === undefined) return { message };
    const what = /^\.{2,}$|…/.test(badPart) ? 'an elided part ("...")' : 'text that is not base64';
    return { message: `${message}; this line holds ${what}`, badPart };
  }
}
