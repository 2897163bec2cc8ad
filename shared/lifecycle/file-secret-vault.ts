// The embedded SecretVault: one JSON file (`<DSC_STATE_DIR>/secrets.json`, mode 0600) beside state.db.
// It refuses to read a file that group or others could read: such a file has already leaked, and using it
// quietly would hide that. Writes go to a private temp file renamed over the old one (never a torn file).
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SECRET_REFERENCE_PREFIX, type SecretVault } from './secret-vault.js';

const REFERENCE_SCHEME = `${SECRET_REFERENCE_PREFIX}file/`;

/** connector → key → value */
type SecretsFile = { version: 1; secrets: Record<string, Record<string, string>> };

export class FileSecretVault implements SecretVault {
  /** Serialises this process's read-modify-write cycles (another process writing at the same moment can still win). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static reference(connector: string, key: string): string {
    return `${REFERENCE_SCHEME}${encodeURIComponent(connector)}/${encodeURIComponent(key)}`;
  }

  private parseReference(reference: string): { connector: string; key: string } {
    const parts = reference.startsWith(REFERENCE_SCHEME) ? reference.slice(REFERENCE_SCHEME.length).split('/') : [];
    if (parts.length !== 2)
      throw new Error(`secret reference ${reference}: not a ${REFERENCE_SCHEME}<connector>/<key> reference`);
    return { connector: decodeURIComponent(parts[0]), key: decodeURIComponent(parts[1]) };
  }

  private async read(): Promise<SecretsFile> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new Error(`secrets file ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    try {
      // fstat on the open handle: the checked file is the file read.
      const st = await handle.stat();
      if ((st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
        throw new Error(
          `secrets file ${this.file} has mode ${mode}: group/others can read it, so it is not used; ` +
            `check who read it, then run: chmod 600 ${this.file}`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        throw new Error(
          `secrets file ${this.file} belongs to uid ${st.uid}, not to this user (uid ${uid}); it is not used`,
        );
      }
      const text = await handle.readFile('utf8');
      try {
        const parsed = JSON.parse(text) as SecretsFile;
        if (typeof parsed?.secrets !== 'object' || parsed.secrets === null) throw new Error('no "secrets" object');
        return parsed;
      } catch (e) {
        // The parser's message may quote file content, i.e. a secret: say only where it broke.
        const reason = e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message;
        throw new Error(`secrets file ${this.file}: ${reason}`);
      }
    } finally {
      await handle.close();
    }
  }

  private async write(data: SecretsFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await rename(tmp, this.file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new Error(`secrets file ${this.file}: cannot write: ${(e as Error).message}`, { cause: e });
    }
  }

  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const run = this.queue.then(body, body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  put(connector: string, key: string, value: string): Promise<string> {
    return this.exclusive(async () => {
      const data = await this.read();
      (data.secrets[connector] ??= {})[key] = value;
      await this.write(data);
      return FileSecretVault.reference(connector, key);
    });
  }

  async resolve(reference: string): Promise<string> {
    const { connector, key } = this.parseReference(reference);
    const value = (await this.read()).secrets[connector]?.[key];
    if (value === undefined) throw new Error(`secret reference ${reference}: no such secret in ${this.file}`);
    return value;
  }

  deleteConnector(connector: string): Promise<void> {
    return this.exclusive(async () => {
      const data = await this.read();
      if (!(connector in data.secrets)) return;
      delete data.secrets[connector];
      await this.write(data);
    });
  }
}
