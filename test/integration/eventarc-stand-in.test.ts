// The Eventarc / Pub/Sub push stand-in against the real Pub/Sub emulator: a 2xx acks, anything else is redelivered
// with exponential backoff, and after max_delivery_attempts the message goes to the dead-letter topic. The policy
// here is a fast copy of infra/'s (whose 10 s minimum backoff would make this test slow); reading the real one is
// checked offline in test/unit/infra/deployed-wiring.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventarcStandIn } from '../services/deployed/eventarc-stand-in.js';
import type { InfraWiring } from '../services/deployed/terraform-wiring.js';
import { loadServicesEnv } from '../services/env.js';
import { sleep, unique } from './file-helpers.js';
import { waitFor } from '../wait-for.js';

loadServicesEnv();

describe('Eventarc / push stand-in', () => {
  const received: { body: any; at: number }[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (b: Buffer) => (text += b.toString()));
      req.on('end', () => {
        const body = JSON.parse(text);
        received.push({ body, at: Date.now() });
        const data = Buffer.from(body.message.data, 'base64').toString();
        const tries = received.filter((r) => r.body.message.messageId === body.message.messageId).length;
        // "flaky" succeeds at its third delivery; "poison" never does.
        res.statusCode = data === 'flaky' && tries >= 3 ? 204 : 500;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('acks on 2xx, retries with backoff otherwise, dead-letters after max_delivery_attempts', async () => {
    const projectId = unique('dsc-standin');
    const wiring: InfraWiring = {
      projectId,
      functions: { notify: { resource: 'notify', entryPoint: 'notify', env: {}, timeoutSeconds: 5 } },
      pushSubscriptions: [
        {
          name: 'tasks-push',
          topic: 'tasks',
          function: 'work',
          path: `/projects/${projectId}/topics/tasks`,
          ackDeadlineSeconds: 10,
          minimumBackoffMs: 100,
          maximumBackoffMs: 300,
          deadLetterTopic: 'dead',
          maxDeliveryAttempts: 5,
        },
      ],
      pullSubscriptions: [{ name: 'dead', topic: 'dead' }],
      topics: ['tasks', 'dead'],
      mirrorEnv: {},
      notifyEventType: 'google.cloud.storage.object.v1.finalized',
      maxDeliveryAttempts: 5,
    };
    const standIn = new EventarcStandIn({ wiring, functionUrls: { work: url, notify: url }, storageUrl: url });
    const pubsub = new PubSub({ projectId });
    try {
      await standIn.start();
      const flakyId = await pubsub
        .topic('tasks')
        .publishMessage({ data: Buffer.from('flaky'), attributes: { connector: 'c1' } });
      await pubsub.topic('tasks').publishMessage({ data: Buffer.from('poison'), attributes: { connector: 'c2' } });

      const dead = await new Promise<Message>((resolve, reject) => {
        const sub = pubsub.subscription('dead');
        const timer = setTimeout(() => reject(new Error('nothing dead-lettered in 60 s')), 60_000);
        sub.on('message', (m: Message) => {
          m.ack();
          clearTimeout(timer);
          void sub.close().then(() => resolve(m));
        });
      });
      expect(dead.data.toString()).toBe('poison');
      expect(dead.attributes).toMatchObject({
        connector: 'c2',
        CloudPubSubDeadLetterSourceSubscription: 'tasks-push',
        CloudPubSubDeadLetterSourceDeliveryCount: '5',
      });

      // Acked after its third attempt (it needs less backoff than the poison's five, but it is not a race to win).
      await waitFor(() => standIn.acked.has(flakyId), { what: 'the flaky message acked' });
      const flaky = standIn.deliveries.filter((d) => d.connector === 'c1');
      const poison = standIn.deliveries.filter((d) => d.connector === 'c2');
      expect(flaky.map((d) => [d.attempt, d.status])).toEqual([
        [1, 500],
        [2, 500],
        [3, 204],
      ]);
      expect(poison.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5]);
      // Exponential backoff, capped: 100, 200, 300, 300 ms between attempts (at least).
      const gaps = poison.slice(1).map((d, i) => d.startedAt - poison[i].endedAt);
      [100, 200, 300, 300].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 5));
      // What the function received: the Pub/Sub push body, with the delivery attempt.
      const bodies = received.filter((r) => r.body.message.attributes.connector === 'c1').map((r) => r.body);
      expect(bodies.map((b) => b.deliveryAttempt)).toEqual([1, 2, 3]);
      expect(bodies[0].subscription).toBe(`projects/${projectId}/subscriptions/tasks-push`);
      // Acked: no more deliveries. Asserting an absence (a redelivery would come from Pub/Sub after the ack deadline,
      // so this only catches the stand-in retrying an acked message); a loaded machine never makes it fail.
      await sleep(500);
      expect(standIn.deliveries.filter((d) => d.connector === 'c1')).toHaveLength(3);
    } finally {
      await standIn.stop();
      await pubsub.close();
    }
  }, 300_000);
});
