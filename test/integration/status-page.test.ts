// The status page in a real browser (Debian's chromium driven by puppeteer-core) during a real load on the embedded
// default (`dsc run --ui`): the connector shows up with a progress that moves; clicking pause turns it PAUSED (and the
// task stops); resume finishes the load, and Kafka holds every line of the file, in order. The page never shows the
// connector's private key. A screenshot is saved as a test artifact (test/artifacts/status-page.png).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { testPrivateKey } from '../unit/cli/seed-configs.js';
import { consumeAll, csvLines, gcsBucket, tempDir, unique, values } from './file-helpers.js';
import { GcsValve } from './gcs-valve.js';
import { createTopic, produce, SOURCE, sourceKafka, TARGET } from './mirror-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test/artifacts');
const CHROMIUM = process.env.DSC_CHROMIUM ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
// The flags the CI uses: no sandbox (root in a container), no network chatter of its own, a fresh profile.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** `dsc run --ui --port 0` on `conf`, GCS at `storage`; resolves with the page's URL once it is served. */
async function startRun(
  dir: string,
  storage: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  if (!existsSync(join(ROOT, 'dist/shared/cli/ui-server.js'))) throw new Error('dist/ is missing: npm run build');
  const env = { ...process.env, DSC_STATE_DIR: join(dir, 'state'), STORAGE_EMULATOR_HOST: storage };
  const child = spawn(process.execPath, [join(ROOT, 'bin/dsc.js'), 'run', '--c', 'run.conf', '--ui', '--port', '0'], {
    cwd: dir,
    env,
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /status page on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`dsc run exited (${code}) before serving the page:\n${out}`)));
  });
  cleanup.push(() => void child.kill('SIGKILL'));
  return { child, url, output: () => out };
}

const field = (page: Page, name: string, f: string) =>
  page.$eval(`[data-connector="${name}"] [data-field="${f}"]`, (e) => e.textContent ?? '');
const recordsShown = async (page: Page, name: string) => Number((await field(page, name, 'records')).replace(/,/g, ''));

describe('status page', () => {
  it('shows a real load moving; pause and resume from the page; every record arrives; a mirror shows its lag', async () => {
    if (!CHROMIUM) throw new Error('chromium not found: apt-get install chromium (or set DSC_CHROMIUM)');
    const name = unique('page');
    const lines = csvLines(300_000, 'page', 30);
    const content = lines.join('\n') + '\n';
    const bucket = await gcsBucket({ 'big.csv': content });
    const dir = tempDir();
    // The file's first quarter flows at once; the test opens the rest.
    const valve = new GcsValve();
    cleanup.push(() => valve.close());
    const storage = await valve.start();
    const quarter = Math.floor(content.length / 4);
    valve.openTo(quarter);
    const key = testPrivateKey();
    // A mirror beside the file load: its card shows lag, its task row the lag per partition.
    const mirrored = unique('page-src');
    await createTopic(sourceKafka(), mirrored, 2);
    await produce(
      sourceKafka(),
      mirrored,
      Array.from({ length: 300 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
    );
    const mirror = `${name}-mirror`;
    writeFileSync(
      join(dir, 'run.conf'),
      [
        '[load]',
        'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
        'mode=eof',
        'file.reader.batch.size=20',
        'file.reader.settings.fs.gs.auth.service.account.email=loader@example.iam.gserviceaccount.com',
        `file.reader.settings.fs.gs.auth.service.account.private.key="${key.replace(/\n/g, '\\n')}"`,
        `name=${name}`,
        `topic=${name}`,
        `file.uris=gs://${bucket}/big.csv`,
        '[mirror]',
        'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
        'source.cluster.alias=src',
        `source.cluster.bootstrap.servers=${SOURCE()}`,
        `target.cluster.bootstrap.servers=${TARGET()}`,
        'source->target.enabled=true',
        `topics=${mirrored}`,
        'replication.factor=1',
        `name=${mirror}`,
      ].join('\n') + '\n',
    );
    const run = await startRun(dir, storage);

    const profile = mkdtempSync(join(tmpdir(), 'dsc-chromium-'));
    cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
    const browser: Browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, `--user-data-dir=${profile}`],
    });
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 560 });
    await page.goto(run.url);
    await page.waitForSelector(`[data-connector="${name}"] [data-field="records"]`, { timeout: 60_000 });

    // The progress moves while we watch: records grow between two refreshes and the percentage leaves 0 (on a
    // loaded machine the first refreshes can show a few batches only). The valve opens to half the file: the load
    // moves on from where it stood, however fast it got there, and waits at the half.
    const first = await recordsShown(page, name);
    valve.openTo(2 * quarter);
    await page.waitForFunction(
      (card: string, n: number) =>
        Number(document.querySelector(`${card} [data-field="records"]`)?.textContent?.replace(/,/g, '')) > n &&
        Number(document.querySelector(`${card} [data-field="progress"]`)?.textContent?.replace('%', '')) > 0,
      { timeout: 120_000 },
      `[data-connector="${name}"]`,
      first,
    );
    // What the page shows mid-load (the load waits at the half); then a screenshot, and pause.
    const seen = await page.$eval(`[data-connector="${name}"]`, (card) => {
      const outer = card.querySelector('.head .bar')!.getBoundingClientRect().width;
      const inner = card.querySelector('.head .bar > div')!.getBoundingClientRect().width;
      return {
        state: card.querySelector('[data-field="state"]')!.textContent,
        shown: Number(card.querySelector('[data-field="progress"]')!.textContent!.replace('%', '')),
        drawn: (100 * inner) / outer,
        reading: card.querySelector('tr[data-task="0"] td:nth-child(8)')!.textContent,
      };
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png') });
    await clickButton(page, `[data-connector="${name}"] button[data-action="pause"]`);
    expect(seen.state).toBe('RUNNING');
    expect(seen.shown).toBeGreaterThan(0);
    expect(seen.shown).toBeLessThan(100);
    // The bar is drawn to the same fraction as the percentage beside it (the page's CSP lets its script size it).
    expect(Math.abs(seen.drawn - seen.shown)).toBeLessThan(2);
    expect(seen.reading).toContain('big.csv');
    // Nothing secret on the page.
    const html = await page.content();
    expect(html).not.toContain('PRIVATE KEY');
    for (const part of key.split('\n').filter((l) => l.length > 20)) expect(html).not.toContain(part);
    await page.waitForFunction(
      (sel: string) => document.querySelector(sel)?.textContent === 'PAUSED',
      { timeout: 60_000 },
      `[data-connector="${name}"] [data-field="state"]`,
    );
    // The task itself stops: its row reads PAUSED and the count stays put. It stops at a batch boundary once its
    // state check (every second) saw the pause, and it is waiting for bytes: the valve lets the file through 64 KiB
    // at a time until the task has stopped, which it does within a step or two, long before the file's end.
    const taskState = `[data-connector="${name}"] tr[data-task="0"] td:nth-child(2)`;
    for (let at = 2 * quarter; ;) {
      const stopped = await page
        .waitForFunction(
          (sel: string) => document.querySelector(sel)?.textContent === 'PAUSED',
          { timeout: 1_000 },
          taskState,
        )
        .then(
          () => true,
          () => false,
        );
      if (stopped || at >= content.length) break;
      at += 64 * 1024;
      valve.openTo(at);
    }
    expect(await page.$eval(taskState, (e) => e.textContent)).toBe('PAUSED');
    const paused = await recordsShown(page, name);
    expect(paused).toBeLessThan(lines.length);
    // Asserting that the count stays put: no later event to wait for. The row reads PAUSED once the task stopped
    // (its last count written with that state), so a loaded machine only makes this pass more easily, never fail.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await recordsShown(page, name)).toBe(paused);
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-paused.png') });

    valve.openTo(Infinity);
    await clickButton(page, `[data-connector="${name}"] button[data-action="resume"]`);
    // The rest of the file (most of it: the pause lands early) at a commit per 500 ms; minutes on a loaded machine.
    await page.waitForFunction(
      (sel: string) => document.querySelector(sel)?.textContent === 'FINISHED',
      { timeout: 240_000 },
      `[data-connector="${name}"] [data-field="state"]`,
    );
    expect(await recordsShown(page, name)).toBe(lines.length);
    expect(values(await consumeAll(name))).toEqual(lines);
    // A refused action says why on the page: a FINISHED connector has nothing to restart.
    await clickButton(page, `[data-connector="${name}"] button[data-action="restart"]`);
    await page.waitForFunction(
      () => document.getElementById('message')?.textContent?.includes('FINISHED loading every file'),
      { timeout: 60_000 },
    );

    // The mirror: lag in place of the byte progress, and the lag of each source partition on its task row.
    const mirrorCard = `[data-connector="${mirror}"]`;
    await page.waitForFunction(
      (card: string, want: string) =>
        document.querySelector(`${card} tr[data-task="0"] td:nth-child(8)`)?.textContent === want &&
        document.querySelector(`${card} [data-field="records"]`)?.textContent === '300',
      { timeout: 60_000 },
      mirrorCard,
      `${mirrored}-0: 0, ${mirrored}-1: 0`,
    );
    expect(await field(page, mirror, 'progress')).toBe('lag 0');
    expect(await field(page, mirror, 'state')).toBe('RUNNING');
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-done.png') });

    run.child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => run.child.on('exit', r));
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(new RegExp(`${name}\\s+FINISHED\\s+1\\s+300,000`));
    expect(run.output()).toMatch(new RegExp(`${mirror}\\s+UNASSIGNED|${mirror}\\s+RUNNING`));
  }, 480_000);
});

/**
 * Finds and clicks a button in one step inside the page. puppeteer's `page.click` finds the element, then scrolls to
 * it and clicks, and the page's refresh can replace the card in between ("Node is detached from document" on a
 * loaded machine).
 */
async function clickButton(page: Page, selector: string): Promise<void> {
  await page.$eval(selector, (button) => (button as HTMLButtonElement).click());
}
