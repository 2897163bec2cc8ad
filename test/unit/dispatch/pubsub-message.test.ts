import { describe, expect, it } from 'vitest';
import type { PlanMessage, TaskMessage } from '../../../shared/dispatch/dispatcher.js';
import { dispatcherFromEnv, DispatchConfigError } from '../../../shared/dispatch/dispatcher-from-env.js';
import { InProcessDispatcher } from '../../../shared/dispatch/in-process-dispatcher.js';
import { PubSubDispatcher, type PubSubPublisher } from '../../../shared/dispatch/pubsub-dispatcher.js';
import {
  decodePubSubCloudEvent,
  encodeMessage,
  isPlanMessage,
  isTaskMessage,
  PubSubMessageError,
} from '../../../shared/dispatch/pubsub-message.js';

/** What functions-framework hands a Pub/Sub-triggered function: the push envelope inside a CloudEvent. */
const cloudEvent = (data: Buffer | string | undefined, id = 'evt-1') => ({
  id,
  type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: {
    subscription: 'projects/p/subscriptions/s',
    message: {
      messageId: '1',
      ...(data !== undefined && { data: Buffer.isBuffer(data) ? data.toString('base64') : data }),
    },
  },
});

describe('Pub/Sub dispatch messages', () => {
  it('round-trips a plan message with objects (generation kept as a string)', () => {
    const plan: PlanMessage = {
      connector: 'fs-person',
      epoch: 3,
      objects: [{ uri: 'gs://b/p.csv', size: 12, generation: '1712345678901234567' }],
    };
    expect(decodePubSubCloudEvent(cloudEvent(encodeMessage(plan)), isPlanMessage)).toEqual(plan);
  });

  it('carries a restart scope and refuses an unknown one', () => {
    const plan: PlanMessage = { connector: 'fs-person', epoch: 2, restart: 'failed' };
    expect(decodePubSubCloudEvent(cloudEvent(encodeMessage(plan)), isPlanMessage)).toEqual(plan);
    expect(isPlanMessage({ connector: 'fs-person', epoch: 2, restart: 'some' })).toBe(false);
  });

  it('round-trips a task message', () => {
    const t: TaskMessage = { connector: 'fs-person', epoch: 1, taskId: 7 };
    expect(decodePubSubCloudEvent<TaskMessage>(cloudEvent(encodeMessage(t)), isTaskMessage)).toEqual(t);
  });

  it('names what is wrong with a malformed event', () => {
    expect(() => decodePubSubCloudEvent({ id: 'x' })).toThrow('CloudEvent x has no data');
    expect(() => decodePubSubCloudEvent({ id: 'x', data: { foo: 1 } })).toThrow(/no data.message/);
    expect(() => decodePubSubCloudEvent(cloudEvent(undefined))).toThrow(/empty Pub\/Sub message/);
    expect(() => decodePubSubCloudEvent(cloudEvent(Buffer.from('not json')))).toThrow(PubSubMessageError);
    expect(() => decodePubSubCloudEvent(cloudEvent(Buffer.from('not json')))).toThrow(/not base64 JSON/);
    const wrong = cloudEvent(encodeMessage({ connector: 'a', epoch: 1 } as PlanMessage));
    expect(() => decodePubSubCloudEvent(wrong, isTaskMessage)).toThrow(/unexpected message/);
  });
});

describe('PubSubDispatcher', () => {
  it('publishes JSON to the plan and task topics with the connector as an attribute', async () => {
    const published: { topic: string; data: Buffer; attributes?: Record<string, string> }[] = [];
    const pubsub: PubSubPublisher = {
      topic: (topic) => ({
        publishMessage: async (m) => {
          published.push({ topic, ...m });
          return String(published.length);
        },
      }),
    };
    const d = new PubSubDispatcher({ planTopic: 'dsc-plan', taskTopic: 'dsc-task', pubsub });
    await d.plan({ connector: 'a', epoch: 2 });
    await d.task({ connector: 'a', epoch: 2, taskId: 0 });
    expect(published.map((p) => p.topic)).toEqual(['dsc-plan', 'dsc-task']);
    expect(published[0].attributes).toEqual({ connector: 'a' });
    expect(decodePubSubCloudEvent(cloudEvent(published[1].data), isTaskMessage)).toEqual({
      connector: 'a',
      epoch: 2,
      taskId: 0,
    });
  });
});

describe('dispatcherFromEnv', () => {
  it('defaults to in-process and needs both topics for pubsub', () => {
    expect(dispatcherFromEnv(undefined, {})).toBeInstanceOf(InProcessDispatcher);
    expect(() => dispatcherFromEnv(undefined, { DSC_DISPATCH: 'pubsub', DSC_PLAN_TOPIC: 'p' })).toThrow(
      'DSC_DISPATCH=pubsub needs DSC_TASK_TOPIC',
    );
    expect(() => dispatcherFromEnv(undefined, { DSC_DISPATCH: 'kafka' })).toThrow(DispatchConfigError);
    const env = { DSC_DISPATCH: 'pubsub', DSC_PLAN_TOPIC: 'p', DSC_TASK_TOPIC: 't', GOOGLE_CLOUD_PROJECT: 'demo' };
    expect(dispatcherFromEnv(undefined, env)).toBeInstanceOf(PubSubDispatcher);
  });
});
