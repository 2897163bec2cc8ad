// The connector lifecycle in one place: create, validate, pause, resume, restart, delete, and the views (config,
// list, status). The management API (HTTP), the CLI's embedded transport and `dsc run` all call it, so every
// desired-state change goes through transitions.ts and every write through the same code. Failures are
// ConnectorErrors with a kind; the HTTP layer maps the kind to a status.
import { parseConnectorConfig } from '../config/index.js';
import { REDACTED, redactSpec } from '../config/secrets.js';
import { hasErrors, type ConnectorSpec } from '../config/spec.js';
import type { Dispatcher, PlanMessage } from '../dispatch/dispatcher.js';
import type { Logger } from '../runtime/log.js';
import {
  connectorSummary,
  issueBody,
  type ConnectorConfigBody,
  type CreatedBody,
  type IssueBody,
  type RestartBody,
  type TransitionBody,
  type ValidatedBody,
} from './api-types.js';
import type { OffsetsCleanup } from './offsets-cleanup.js';
import { restartTransition } from './restart.js';
import { readScanStatus } from './scan-status.js';
import { isSecretReference, sealSpec, type SecretVault } from './secret-vault.js';
import { buildListRow, buildStatus, connectorState, type ConnectorListRow, type ConnectorStatus } from './status.js';
import { StoreConflictError, type ConnectorRecord, type ConnectorState, type ConnectorStore } from './store.js';
import { continueTransition, pauseTransition, resumeTransition, type Transition } from './transitions.js';

export interface ConnectorServiceDeps {
  store: ConnectorStore;
  dispatcher: Dispatcher;
  /** Absent in tests: specs are stored as parsed. */
  vault?: SecretVault;
  log: Logger;
  /** Removes a deleted connector's offsets from the offsets topic (exactly-once delivery keeps them there). */
  offsets?: OffsetsCleanup;
}

/** invalid: the request or config is wrong; conflict: a refused transition or an existing name. */
export type ConnectorErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unavailable';

export class ConnectorError extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly issues?: IssueBody[],
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** A config file's connectors, or a ConnectorError naming every error (with its line) when it has any. */
export function parseOrReject(text: string, fileName: string): { specs: ConnectorSpec[]; warnings: IssueBody[] } {
  const { specs, issues } = parseConnectorConfig(text, { fileName });
  if (hasErrors(issues)) {
    const errors = issues.filter((i) => i.severity === 'error');
    const n = errors.length;
    throw new ConnectorError(
      'invalid',
      `${fileName} has ${n} error${n === 1 ? '' : 's'}; nothing was created`,
      issues.map(issueBody),
    );
  }
  if (specs.length === 0)
    throw new ConnectorError('invalid', `${fileName} defines no connector: add a [section] with name=...`);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new ConnectorError('invalid', `${fileName} defines connector ${s.name} twice`);
    seen.add(s.name);
  }
  return { specs, warnings: issues.filter((i) => i.severity === 'warning').map(issueBody) };
}

/** A stored (sealed) spec as shown: redacted, and no vault reference left under a key redactSpec does not know. */
function showSpec(spec: ConnectorSpec): ConnectorSpec {
  const shown = redactSpec(spec);
  const settings = Object.fromEntries(
    Object.entries(shown.settings).map(([k, v]) => [k, isSecretReference(v) ? REDACTED : v]),
  );
  return { ...shown, settings };
}

const notFound = (name: string) => new ConnectorError('not_found', `connector ${name} not found`);

const conflict = (names: string[]) =>
  new ConnectorError(
    'conflict',
    names.length === 1
      ? `connector ${names[0]} already exists; nothing was created`
      : `connectors ${names.join(', ')} already exist; nothing was created`,
  );

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ConnectorService {
  constructor(private readonly deps: ConnectorServiceDeps) {}

  validate(text: string, fileName: string): ValidatedBody {
    const { specs, warnings } = parseOrReject(text, fileName);
    return { valid: true, connectors: specs.map(connectorSummary), warnings };
  }

  /** Creates every connector of a config file, or none (an existing name refuses them all). */
  async create(text: string, fileName: string): Promise<CreatedBody> {
    const { specs, warnings } = parseOrReject(text, fileName);
    await this.createSpecs(specs, fileName);
    return {
      created: specs.map((s) => s.name),
      connectors: specs.map((s) => ({ ...connectorSummary(s), config: redactSpec(s) })),
      warnings,
    };
  }

  /** All or nothing; each is RUNNING at epoch 1, and each file connector's plan is dispatched. */
  async createSpecs(specs: ConnectorSpec[], fileName: string): Promise<void> {
    const { store, vault, log } = this.deps;
    // Refuse before sealing: sealing writes secrets under the connector's name, which must not touch an existing one.
    const existing = (await Promise.all(specs.map((s) => store.getConnector(s.name)))).filter((r) => r !== undefined);
    if (existing.length > 0) throw conflict(existing.map((r) => r.name));
    const now = new Date().toISOString();
    const records: ConnectorRecord[] = [];
    for (const spec of specs) {
      const stored = vault ? await sealSpec(spec, vault) : spec;
      records.push({
        name: spec.name,
        kind: spec.kind,
        spec: stored,
        desired: 'RUNNING',
        epoch: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    try {
      await store.createConnectors(records);
    } catch (err) {
      if (err instanceof StoreConflictError) throw conflict(err.names);
      throw err;
    }
    log.info('connectors created', { connectors: specs.map((s) => s.name), fileName });
    // Mirror connectors need no plan message: the mirror worker picks up RUNNING mirror connectors from the store.
    await this.dispatchPlans(
      records.filter((r) => r.kind === 'file'),
      'created',
    );
  }

  async list(): Promise<ConnectorListRow[]> {
    const { store } = this.deps;
    const records = await store.listConnectors();
    const rows = await Promise.all(records.map(async (r) => buildListRow(r, await store.listTasks(r.name))));
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async config(name: string): Promise<ConnectorConfigBody> {
    const r = await this.mustGet(name);
    const { kind, desired, epoch, createdAt, updatedAt } = r;
    return { name: r.name, kind, desired, epoch, createdAt, updatedAt, config: showSpec(r.spec) };
  }

  async status(name: string): Promise<ConnectorStatus> {
    return this.statusOf(await this.mustGet(name));
  }

  /** The status of each named connector that exists, in the given order. */
  async statuses(names: string[]): Promise<ConnectorStatus[]> {
    const records = await Promise.all(names.map((n) => this.deps.store.getConnector(n)));
    return Promise.all(records.filter((r) => r !== undefined).map((r) => this.statusOf(r)));
  }

  async statusAll(): Promise<ConnectorStatus[]> {
    const rows = await Promise.all((await this.deps.store.listConnectors()).map((r) => this.statusOf(r)));
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async pause(name: string): Promise<TransitionBody> {
    const r = await this.change(name, pauseTransition);
    this.deps.log.info('connector paused', { connector: name, epoch: r.epoch });
    return { name, desired: r.desired, epoch: r.epoch };
  }

  async resume(name: string): Promise<TransitionBody> {
    const r = await this.change(name, resumeTransition);
    this.deps.log.info('connector resumed', { connector: name, epoch: r.epoch });
    if (r.kind === 'file') await this.dispatchPlans([r], 'resumed');
    return { name, desired: r.desired, epoch: r.epoch };
  }

  /** `dsc run` on an existing connector: a new epoch whatever its state, except FINISHED (a conflict). */
  async continue(name: string): Promise<TransitionBody> {
    const r = await this.change(name, continueTransition);
    this.deps.log.info('connector continued', { connector: name, epoch: r.epoch });
    if (r.kind === 'file') await this.dispatchPlans([r], 'continued');
    return { name, desired: r.desired, epoch: r.epoch };
  }

  async restart(name: string, onlyFailed: boolean): Promise<RestartBody> {
    const { store, dispatcher, log } = this.deps;
    const r = await this.mustGet(name);
    const tasks = await store.listTasks(name);
    const d = restartTransition(r, connectorState(r, tasks), tasks, onlyFailed);
    if (!d.ok) throw new ConnectorError('conflict', d.message);
    const updated = d.patch ? await store.updateConnector(name, d.patch) : r;
    if (!updated) throw notFound(name);
    log.info('connector restarted', { connector: name, epoch: updated.epoch, scope: d.scope, tasks: d.tasks });
    if (d.patch && r.kind === 'file')
      await dispatcher.plan({ connector: name, epoch: updated.epoch, restart: d.scope }).catch((err: unknown) => {
        const reason = errorText(err);
        throw new ConnectorError(
          'unavailable',
          `connector ${name} was restarted, but its plan could not be dispatched (${reason})`,
        );
      });
    return { name, desired: updated.desired, epoch: updated.epoch, restarted: d.tasks };
  }

  /** Removes the connector, its tasks, its offsets (store and offsets topic) and its secrets. */
  async delete(name: string): Promise<void> {
    const { store, vault, offsets, log } = this.deps;
    const record = await store.getConnector(name);
    if (!record || !(await store.deleteConnector(name))) throw notFound(name);
    // After the store: its tasks see the connector gone within a second and stop. An offset one of them commits
    // after the tombstones is ignored by a re-created connector (offsets carry the connector's creation time).
    await offsets?.deleteOffsets(record);
    await vault?.deleteConnector(name);
    log.info('connector deleted', { connector: name });
  }

  private async mustGet(name: string): Promise<ConnectorRecord> {
    const record = await this.deps.store.getConnector(name);
    if (!record) throw notFound(name);
    return record;
  }

  private async statusOf(r: ConnectorRecord): Promise<ConnectorStatus> {
    const { store } = this.deps;
    const scan = r.kind === 'file' ? await readScanStatus(store, r.name) : undefined;
    return buildStatus(r, await store.listTasks(r.name), scan);
  }

  private async change(
    name: string,
    decide: (r: ConnectorRecord, s: ConnectorState) => Transition,
  ): Promise<ConnectorRecord> {
    const r = await this.mustGet(name);
    // Decided on the state `status` shows, derived from the desired state and the tasks.
    const t = decide(r, connectorState(r, await this.deps.store.listTasks(name)));
    if (!t.ok) throw new ConnectorError('conflict', t.message);
    const updated = await this.deps.store.updateConnector(name, t.patch);
    if (!updated) throw notFound(name);
    return updated;
  }

  private async dispatchPlans(records: ConnectorRecord[], what: string): Promise<void> {
    const failed: string[] = [];
    let reason = '';
    for (const r of records) {
      const message: PlanMessage = { connector: r.name, epoch: r.epoch };
      try {
        await this.deps.dispatcher.plan(message);
      } catch (err) {
        failed.push(r.name);
        reason = errorText(err);
        this.deps.log.error('plan dispatch failed', { ...message, error: reason });
      }
    }
    if (failed.length === 0) return;
    const many = failed.length > 1;
    throw new ConnectorError(
      'unavailable',
      `connector${many ? 's' : ''} ${failed.join(', ')} ${many ? 'were' : 'was'} ${what}, but ${many ? 'their plans' : 'its plan'} ` +
        `could not be dispatched (${reason}); pause and resume ${many ? 'them' : 'it'} to retry`,
    );
  }
}
