// The local deployed shape reads its wiring from infra/ (test/services/deployed/terraform-wiring.ts): what it finds
// must be what the Terraform declares, and an expression it cannot evaluate must fail by name, not silently.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { request, type Route } from '../../services/deployed/eventarc-stand-in.js';
import { readInfraWiring } from '../../services/deployed/terraform-wiring.js';
import { decodePubSubCloudEvent, isTaskMessage } from '../../../shared/dispatch/pubsub-message.js';
import { INFRA as INFRA_DIR } from './paths.js';

const urls = { manage: 'http://m', plan: 'http://p', work: 'http://w', notify: 'http://n' };
const vars = { project_id: 'proj', kafka_brokers: '127.0.0.1:9092' };

describe('deployed-shape wiring read from infra/', () => {
  it('finds each push subscription, its function, retry and dead-letter policy', async () => {
    const w = await readInfraWiring(INFRA_DIR, vars, urls);
    const byTopic = Object.fromEntries(w.pushSubscriptions.map((s) => [s.topic, s]));
    expect(byTopic['dsc-plan']).toMatchObject({ function: 'plan', path: '/projects/proj/topics/dsc-plan' });
    expect(byTopic['dsc-tasks']).toMatchObject({ function: 'work', path: '/projects/proj/topics/dsc-tasks' });
    for (const s of w.pushSubscriptions) {
      expect(s.minimumBackoffMs).toBeGreaterThan(0);
      expect(s.maximumBackoffMs).toBeGreaterThanOrEqual(s.minimumBackoffMs);
      expect(s.maxDeliveryAttempts).toBe(w.maxDeliveryAttempts);
      expect(w.topics).toContain(s.deadLetterTopic);
    }
    expect(w.functions.work.env).toMatchObject({
      DSC_STORE: 'firestore',
      DSC_DISPATCH: 'pubsub',
      DSC_TASK_TOPIC: 'dsc-tasks',
      GOOGLE_CLOUD_PROJECT: 'proj',
      KAFKA_BROKERS: '127.0.0.1:9092',
    });
    expect(w.functions.work.env).not.toHaveProperty('KAFKA_SASL_USERNAME'); // empty optional settings left out
    expect(w.functions.manage.env.DSC_AUTH).toBe('iam');
    expect(w.functions.notify.entryPoint).toBe('notify');
    expect(w.mirrorEnv).toMatchObject({ DSC_STORE: 'firestore', KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(w.notifyEventType).toBe('google.cloud.storage.object.v1.finalized');
  });

  it('names an expression it cannot evaluate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tf-'));
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "google_cloudfunctions2_function" "work" {
  build_config {
    entry_point = "work"
  }
  service_config {
    timeout_seconds       = 60
    environment_variables = { X = upper(var.project_id) }
  }
}
`,
    );
    await expect(readInfraWiring(dir, vars, urls)).rejects.toThrow(/cannot evaluate \$\{upper\(var\.project_id\)\}/);
  });

  it('functions-framework turns the push body and the storage event into the CloudEvents the functions expect', async () => {
    const seen: CloudEvent<any>[] = [];
    cloudEvent('deployedWiringProbe', (e: CloudEvent<any>) => void seen.push(e));
    const server = getTestServer('deployedWiringProbe');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const task = { connector: 'c', epoch: 2, taskId: 1 };
      const push = { subscription: 'dsc-tasks-push', format: 'pubsub-push' } as Route;
      const message = { id: '42', data: Buffer.from(JSON.stringify(task)), attributes: {}, publishTime: new Date() };
      const r1 = request(push, message, 3, 'proj');
      const res1 = await fetch(`${base}/projects/proj/topics/dsc-tasks`, { method: 'POST', ...r1 });
      expect(res1.status).toBe(204);
      expect(seen[0]).toMatchObject({
        type: 'google.cloud.pubsub.topic.v1.messagePublished',
        source: '//pubsub.googleapis.com/projects/proj/topics/dsc-tasks',
        id: '42',
      });
      expect(decodePubSubCloudEvent(seen[0], isTaskMessage)).toEqual(task);

      const storage = { subscription: 'n', format: 'storage-cloudevent' } as Route;
      const object = { bucket: 'b', name: 'in/x.csv', size: '5', generation: '7' };
      const attributes = { eventId: 'e1', bucket: 'b', name: 'in/x.csv' };
      const r2 = request(storage, { ...message, data: Buffer.from(JSON.stringify(object)), attributes }, 1, 'proj');
      const res2 = await fetch(`${base}/`, { method: 'POST', ...r2 });
      expect(res2.status).toBe(204);
      expect(seen[1]).toMatchObject({
        type: 'google.cloud.storage.object.v1.finalized',
        id: 'e1',
        subject: 'objects/in/x.csv',
        data: object,
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
