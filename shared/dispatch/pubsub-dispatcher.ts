// Production dispatch: one Pub/Sub message per plan request or task invocation; each is pushed to a Cloud
// Function (`plan`, `work`). Ordering is not needed: epochs and task leases make stale or duplicate messages harmless.
import type { Dispatcher, PlanMessage, TaskMessage } from './dispatcher.js';
import { encodeMessage } from './pubsub-message.js';

/** The slice of @google-cloud/pubsub we use, so tests can record publishes without a Pub/Sub server. */
export interface PubSubPublisher {
  topic(name: string): {
    publishMessage(message: { data: Buffer; attributes?: Record<string, string> }): Promise<string>;
  };
}

export interface PubSubDispatcherOptions {
  planTopic: string;
  taskTopic: string;
  /** Defaults to a `new PubSub()` (GOOGLE_CLOUD_PROJECT and application default credentials). */
  pubsub?: PubSubPublisher;
}

export class PubSubDispatcher implements Dispatcher {
  private pubsub: Promise<PubSubPublisher> | undefined;

  constructor(private readonly options: PubSubDispatcherOptions) {
    if (options.pubsub) this.pubsub = Promise.resolve(options.pubsub);
  }

  /** The Pub/Sub client loads on first publish: its gRPC stack costs ~1 s of start-up that other modes never need. */
  private publisher(): Promise<PubSubPublisher> {
    this.pubsub ??= import('@google-cloud/pubsub').then(({ PubSub }) => new PubSub() as unknown as PubSubPublisher);
    return this.pubsub;
  }

  async plan(message: PlanMessage): Promise<void> {
    await this.publish(this.options.planTopic, message);
  }

  async task(message: TaskMessage): Promise<void> {
    await this.publish(this.options.taskTopic, message);
  }

  private async publish(topic: string, message: PlanMessage | TaskMessage): Promise<void> {
    // The connector name as an attribute lets an operator filter a subscription or the logs without decoding data.
    await (
      await this.publisher()
    )
      .topic(topic)
      .publishMessage({ data: encodeMessage(message), attributes: { connector: message.connector } });
  }
}
