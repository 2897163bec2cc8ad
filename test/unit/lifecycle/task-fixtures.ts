// Small builders for lifecycle unit tests: a connector record and task records in a chosen state.
import type { ConnectorSpec, FileConnectorSpec, MirrorConnectorSpec } from '../../../shared/config/spec.js';
import type { ConnectorRecord, TaskRecord, TaskState } from '../../../shared/lifecycle/store.js';

export function fileSpec(name: string, mode: 'eof' | 'streaming' = 'eof'): FileConnectorSpec {
  return {
    kind: 'file',
    name,
    connectorClass: 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    tasksMax: 4,
    section: 'c',
    settings: { name, topic: `${name}-topic`, 'file.reader.settings.fs.gs.auth.service.account.private.key': 'PEM' },
    origins: {},
    errors: { tolerance: 'none', deadLetterContextHeaders: true },
    topic: `${name}-topic`,
    uris: ['gs://b/x.csv'],
    mode,
    regexp: '.*',
    recursive: true,
    reader: {
      type: 'text',
      parquetMaxRowGroupBytes: 268435456,
      separator: ',',
      quote: '',
      valueDefault: '',
      batchSize: 1000,
      eol: '\n',
      header: false,
      archiveType: 'auto',
      archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['gz'] },
      maxLineBytes: 1 << 20,
    },
    numPartitions: 1,
    replicationFactor: -1,
    gcs: {},
  };
}

export function mirrorSpec(name: string): MirrorConnectorSpec {
  const endpoint = { brokers: ['127.0.0.1:19092'], security: { protocol: 'PLAINTEXT' as const } };
  return {
    kind: 'mirror',
    name,
    connectorClass: 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    tasksMax: 2,
    section: 'm',
    settings: { name },
    origins: {},
    errors: { tolerance: 'none', deadLetterContextHeaders: true },
    sourceAlias: 'src',
    targetAlias: 'tgt',
    source: endpoint,
    sourceAdmin: { protocol: 'PLAINTEXT' },
    target: endpoint,
    topics: ['orders', 'users'],
    topicsExclude: [],
    separator: '.',
    identityPolicy: false,
    replicationFactor: -1,
    refreshTopicsIntervalSeconds: 600,
    startFrom: 'earliest',
    valueConverter: { kind: 'bytearray', className: 'org.apache.kafka.connect.converters.ByteArrayConverter' },
  };
}

export function record(spec: ConnectorSpec, desired: 'RUNNING' | 'PAUSED' = 'RUNNING', epoch = 1): ConnectorRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return { name: spec.name, kind: spec.kind, spec, desired, epoch, createdAt: now, updatedAt: now };
}

export function task(connector: string, taskId: number, state: TaskState, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    connector,
    taskId,
    epoch: 1,
    state,
    assignment: {},
    progress: { filesDone: 0, filesTotal: 0, records: 0, bytes: 0, bytesTotal: 0, recordsPerSecond: 0, errors: 0 },
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
