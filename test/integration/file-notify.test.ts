// GCS notifications (google.cloud.storage.object.v1.finalized) for streaming file connectors: a new object under a
// connector's URI is loaded once, even when the event arrives twice; eof connectors, other prefixes and objects the
// regexp does not select are left alone.
import { describe, expect, it } from 'vitest';
import { notifyObjectFinalized } from '../../shared/file/object-notification.js';
import { silentLogger } from '../../shared/runtime/log.js';
import {
  consumeAll,
  fileSpec,
  gcsBucket,
  gcsPut,
  harnessPerTest,
  unique,
  values,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();
let h: Harness | undefined;

describe('GCS notifications', () => {
  it('a new object is loaded once by the streaming connector that covers it, even if the event comes twice', async () => {
    const topic = unique('notify');
    const bucket = await gcsBucket({ 'in/first.csv': 'first\n' });
    h = await newHarness();
    const streaming = fileSpec(topic, {
      topic,
      mode: '',
      'file.uris': `gs://${bucket}/in/`,
      'file.regexp': '.*\\.csv',
      'file.reader.provenance.headers': true,
    });
    const eofTopic = unique('notify-eof');
    const eof = fileSpec(eofTopic, { topic: eofTopic, 'file.uris': `gs://${bucket}/in/` });
    await h.create(streaming);
    await h.create(eof);
    await h.waitFor(eof.name, ['FINISHED']);
    await h.dispatcher.idle();
    expect(await h.state(streaming.name)).toBe('RUNNING'); // streaming: RUNNING with its planned task done
    expect(values(await consumeAll(topic))).toEqual(['first']);

    const deps = { store: h.store, dispatcher: h.dispatcher, log: silentLogger };
    // A late event for an object the first listing already planned loads nothing more.
    const [first] = await h.tasks(streaming.name);
    const firstFile = (first.assignment as { files: { size: number; generation?: string }[] }).files[0];
    await notifyObjectFinalized(
      { bucket, name: 'in/first.csv', size: String(firstFile.size), generation: firstFile.generation },
      deps,
    );
    await h.dispatcher.idle();
    expect(await h.tasks(streaming.name)).toHaveLength(1);

    const meta = await gcsPut(bucket, 'in/second.csv', 'second-1\nsecond-2\n');
    expect(typeof meta.generation).toBe('string');
    const event = { bucket, name: 'in/second.csv', size: meta.size, generation: meta.generation };
    expect(await notifyObjectFinalized(event, deps)).toEqual([streaming.name]);
    await h.dispatcher.idle();
    // The duplicate delivery: the object (and generation) is already claimed.
    expect(await notifyObjectFinalized({ ...event }, deps)).toEqual([streaming.name]);
    await h.dispatcher.idle();

    // Not covered: another prefix; not selected: the regexp.
    await gcsPut(bucket, 'other/x.csv', 'nope\n');
    expect(await notifyObjectFinalized({ bucket, name: 'other/x.csv', size: '5', generation: '1' }, deps)).toEqual([]);
    await gcsPut(bucket, 'in/readme.txt', 'nope\n');
    expect(await notifyObjectFinalized({ bucket, name: 'in/readme.txt', size: '5', generation: '1' }, deps)).toEqual(
      [],
    );
    await h.dispatcher.idle();

    const records = await consumeAll(topic);
    expect(values(records)).toEqual(['first', 'second-1', 'second-2']);
    expect(records[1].headers['dsc.generation']).toBe(meta.generation);
    expect(values(await consumeAll(eofTopic))).toEqual(['first']);
    const tasks = await h.tasks(streaming.name);
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.state === 'FINISHED')).toBe(true);
  });

  it('a new generation of the same object is a new load', async () => {
    const topic = unique('notify-gen');
    const bucket = await gcsBucket();
    h = await newHarness();
    const spec = fileSpec(topic, { topic, mode: '', 'file.uris': `gs://${bucket}/` });
    await h.create(spec);
    await h.dispatcher.idle();
    const deps = { store: h.store, dispatcher: h.dispatcher, log: silentLogger };
    const v1 = await gcsPut(bucket, 'a.csv', 'v1\n');
    await notifyObjectFinalized({ bucket, name: 'a.csv', size: v1.size, generation: v1.generation }, deps);
    await h.dispatcher.idle();
    const v2 = await gcsPut(bucket, 'a.csv', 'v2\n');
    await notifyObjectFinalized({ bucket, name: 'a.csv', size: v2.size, generation: v2.generation }, deps);
    await h.dispatcher.idle();
    expect(values(await consumeAll(topic))).toEqual(['v1', 'v2']);
  });
});
