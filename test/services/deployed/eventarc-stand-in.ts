// The Eventarc / Pub/Sub push stand-in of the local deployed shape: it pulls each subscription infra/ declares from
// the Pub/Sub emulator and delivers every message to the function Terraform wires it to, as Google's side does:
// - push subscriptions (dsc-plan-push, dsc-tasks-push): an HTTP POST of the Pub/Sub push body to the push endpoint's
//   path, which functions-framework turns into a google.cloud.pubsub.topic.v1.messagePublished CloudEvent;
// - storage triggers (notify): a binary-mode CloudEvent google.cloud.storage.object.v1.finalized whose data is the
//   object's JSON resource, read from fake-gcs-server, carried like Eventarc over a Pub/Sub transport topic.
// A 2xx acks the message; anything else (an error status, a reset connection, a timeout) is retried after the
// subscription's exponential backoff until max_delivery_attempts, then the message goes to the dead-letter topic.
import { randomUUID } from 'node:crypto';
import { Duration, PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import type { InfraWiring } from './terraform-wiring.js';

/** Eventarc's own retry of a trigger (not declared in infra/: notify.tf explains why it cannot be). */
const EVENTARC_MIN_BACKOFF_MS = 10_000;
const EVENTARC_MAX_BACKOFF_MS = 600_000;
/** The local transport topic of the storage trigger (Eventarc names its own). */
export const NOTIFY_TRANSPORT_TOPIC = 'eventarc-notify-transport';

export interface Route {
  subscription: string;
  topic: string;
  function: string;
  url: string;
  format: 'pubsub-push' | 'storage-cloudevent';
  minimumBackoffMs: number;
  maximumBackoffMs: number;
  maxDeliveryAttempts: number;
  deadLetterTopic: string;
  timeoutMs: number;
}

export interface Delivery {
  function: string;
  messageId: string;
  /** The `connector` attribute dispatch messages carry (storage events: none). */
  connector?: string;
  attempt: number;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  error?: string;
  startedAt: number;
  endedAt: number;
  /** Requests to the same function in flight when this one started (itself included). */
  concurrent: number;
}

export interface StandInOptions {
  wiring: InfraWiring;
  /** Terraform function resource name -> local base URL. */
  functionUrls: Record<string, string>;
  /** fake-gcs-server, for the object resources of storage events. */
  storageUrl: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class EventarcStandIn {
  readonly deliveries: Delivery[] = [];
  readonly deadLetters: { subscription: string; messageId: string; data: string }[] = [];
  /** Messages a function accepted (2xx), by message id. */
  readonly acked = new Set<string>();
  private readonly pubsub: PubSub;
  private readonly routes: Route[];
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: StandInOptions) {
    // PUBSUB_EMULATOR_HOST (from services.env) points the client at the emulator; no metadata server here.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    this.pubsub = new PubSub({ projectId: options.wiring.projectId });
    this.routes = routesOf(options.wiring, options.functionUrls);
  }

  get routeList(): readonly Route[] {
    return this.routes;
  }

  /** Creates the topics and subscriptions infra/ declares (idempotent) and starts delivering. */
  async start(): Promise<void> {
    const topics = new Set([...this.options.wiring.topics, NOTIFY_TRANSPORT_TOPIC]);
    for (const t of topics) await ignoreExists(this.pubsub.createTopic(t));
    for (const s of this.options.wiring.pullSubscriptions)
      await ignoreExists(this.pubsub.topic(s.topic).createSubscription(s.name));
    for (const r of this.routes) {
      await ignoreExists(this.pubsub.topic(r.topic).createSubscription(r.subscription, { ackDeadlineSeconds: 600 }));
      const sub = this.pubsub.subscription(r.subscription, {
        maxExtensionTime: Duration.from({ minutes: 120 }),
        flowControl: { maxMessages: 100, allowExcessMessages: false },
        // One stream: the emulator may hand a message to several streams of one subscriber.
        streamingOptions: { maxStreams: 1 },
      });
      sub.on('message', (m: Message) => this.track(this.deliver(r, m)));
      sub.on('error', (err) => this.log(`subscription ${r.subscription}: ${err.message}`));
      this.subscriptions.push(sub);
    }
  }

  /** Announces a finalized object as Cloud Storage + Eventarc would; `times` > 1 repeats the same event id. */
  async objectFinalized(bucket: string, name: string, times = 1): Promise<void> {
    const url = `${this.options.storageUrl}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    const object = await res.text();
    const eventId = randomUUID();
    for (let i = 0; i < times; i++) {
      await this.pubsub
        .topic(NOTIFY_TRANSPORT_TOPIC)
        .publishMessage({ data: Buffer.from(object), attributes: { eventId, bucket, name } });
    }
  }

  /** Deliveries to a function, in start order. */
  deliveriesTo(fn: string): Delivery[] {
    return this.deliveries.filter((d) => d.function === fn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.subscriptions.map((s) => s.close().catch(() => {})));
    await Promise.allSettled([...this.pending]);
    await this.pubsub.close();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private log(line: string): void {
    this.options.log?.(`[eventarc] ${line}`);
  }

  private async deliver(route: Route, message: Message): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const ok = await this.post(route, message, attempt);
      if (ok) {
        this.acked.add(message.id);
        return message.ack();
      }
      if (attempt >= route.maxDeliveryAttempts) {
        await this.deadLetter(route, message, attempt);
        return message.ack();
      }
      const backoff = Math.min(route.maximumBackoffMs, route.minimumBackoffMs * 2 ** (attempt - 1));
      this.log(`${route.subscription} ${message.id}: attempt ${attempt} failed; retrying in ${backoff / 1000} s`);
      await sleep(backoff);
    }
    message.nack(); // stopping: leave it to Pub/Sub
  }

  private async post(route: Route, message: Message, attempt: number): Promise<boolean> {
    const { headers, body, path } = request(route, message, attempt, this.options.wiring.projectId);
    const concurrent = (this.inFlight.get(route.function) ?? 0) + 1;
    this.inFlight.set(route.function, concurrent);
    const d: Delivery = {
      function: route.function,
      messageId: message.id,
      connector: message.attributes.connector,
      attempt,
      status: 0,
      startedAt: Date.now(),
      endedAt: 0,
      concurrent,
    };
    this.deliveries.push(d);
    try {
      const res = await fetch(route.url + path, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(route.timeoutMs),
      });
      d.status = res.status;
      if (!res.ok) d.error = (await res.text()).slice(0, 300);
      else await res.arrayBuffer();
    } catch (err) {
      d.error = err instanceof Error ? `${err.message}${err.cause ? `: ${String(err.cause)}` : ''}` : String(err);
    } finally {
      d.endedAt = Date.now();
      this.inFlight.set(route.function, (this.inFlight.get(route.function) ?? 1) - 1);
    }
    return d.status >= 200 && d.status < 300;
  }

  private async deadLetter(route: Route, message: Message, attempts: number): Promise<void> {
    this.log(`${route.subscription} ${message.id}: ${attempts} attempts failed; to ${route.deadLetterTopic}`);
    this.deadLetters.push({ subscription: route.subscription, messageId: message.id, data: message.data.toString() });
    await this.pubsub.topic(route.deadLetterTopic).publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        CloudPubSubDeadLetterSourceSubscription: route.subscription,
        CloudPubSubDeadLetterSourceDeliveryCount: String(attempts),
      },
    });
  }
}

function routesOf(wiring: InfraWiring, urls: Record<string, string>): Route[] {
  const routes: Route[] = wiring.pushSubscriptions.map((s) => ({
    subscription: s.name,
    topic: s.topic,
    function: s.function,
    url: urls[s.function] + s.path,
    format: 'pubsub-push',
    minimumBackoffMs: s.minimumBackoffMs,
    maximumBackoffMs: s.maximumBackoffMs,
    maxDeliveryAttempts: s.maxDeliveryAttempts,
    deadLetterTopic: s.deadLetterTopic,
    // Push waits for the HTTP answer up to the ack deadline.
    timeoutMs: s.ackDeadlineSeconds * 1000,
  }));
  const deadLetterTopic = wiring.pushSubscriptions[0]?.deadLetterTopic ?? 'dsc-dead-letter';
  routes.push({
    subscription: `${NOTIFY_TRANSPORT_TOPIC}-sub`,
    topic: NOTIFY_TRANSPORT_TOPIC,
    function: 'notify',
    url: urls.notify,
    format: 'storage-cloudevent',
    minimumBackoffMs: EVENTARC_MIN_BACKOFF_MS,
    maximumBackoffMs: EVENTARC_MAX_BACKOFF_MS,
    // cloudbuild.yaml sets this dead-letter policy on the trigger subscriptions from var.max_delivery_attempts.
    maxDeliveryAttempts: wiring.maxDeliveryAttempts,
    deadLetterTopic,
    timeoutMs: wiring.functions.notify.timeoutSeconds * 1000,
  });
  return routes;
}

/** The HTTP request Google's side sends for this message (URL path, headers, body). */
export function request(
  route: Route,
  message: { id: string; data: Buffer; attributes: Record<string, string>; publishTime: Date },
  attempt: number,
  projectId: string,
): { path: string; headers: Record<string, string>; body: string } {
  const publishTime = new Date(message.publishTime.getTime()).toISOString();
  if (route.format === 'pubsub-push') {
    return {
      path: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          data: message.data.toString('base64'),
          attributes: message.attributes,
          messageId: message.id,
          message_id: message.id,
          publishTime,
          publish_time: publishTime,
        },
        subscription: `projects/${projectId}/subscriptions/${route.subscription}`,
        deliveryAttempt: attempt,
      }),
    };
  }
  const { eventId, bucket, name } = message.attributes;
  return {
    path: '/',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': eventId,
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucket}`,
      'ce-subject': `objects/${name}`,
      'ce-time': publishTime,
    },
    body: message.data.toString('utf8'),
  };
}

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    // gRPC ALREADY_EXISTS (6): created by an earlier start on the same project.
    if ((err as { code?: number }).code !== 6) throw err;
  }
}
