// How a source topic is named on the target, as MirrorMaker 2's ReplicationPolicy: DefaultReplicationPolicy prefixes
// the source alias (`<alias><separator><topic>`), IdentityReplicationPolicy keeps the name (no cycle detection then).

export interface ReplicationPolicy {
  formatRemoteTopic(sourceAlias: string, topic: string): string;
  /** The alias a topic was replicated from, undefined for a local topic (or when the policy cannot tell). */
  topicSource(topic: string): string | undefined;
  /** MM2's own topics and Kafka's internal ones are never mirrored. */
  isInternalTopic(topic: string): boolean;
}

function isInternalTopic(topic: string): boolean {
  return (
    topic.startsWith('__') ||
    topic.startsWith('.') ||
    topic.startsWith('mm2-') ||
    topic.endsWith('.internal') ||
    topic.endsWith('-internal') ||
    /(^|\.)(heartbeats|checkpoints\.internal)$/.test(topic)
  );
}

export class DefaultReplicationPolicy implements ReplicationPolicy {
  constructor(readonly separator = '.') {
    if (separator === '') throw new Error('replication.policy.separator must not be empty');
  }
  formatRemoteTopic(sourceAlias: string, topic: string): string {
    return `${sourceAlias}${this.separator}${topic}`;
  }
  topicSource(topic: string): string | undefined {
    const i = topic.indexOf(this.separator);
    return i > 0 ? topic.slice(0, i) : undefined;
  }
  isInternalTopic(topic: string): boolean {
    return isInternalTopic(topic);
  }
}

export class IdentityReplicationPolicy implements ReplicationPolicy {
  formatRemoteTopic(_sourceAlias: string, topic: string): string {
    return topic;
  }
  topicSource(): string | undefined {
    return undefined;
  }
  isInternalTopic(topic: string): boolean {
    return isInternalTopic(topic);
  }
}

export function replicationPolicyFor(spec: { identityPolicy: boolean; separator: string }): ReplicationPolicy {
  return spec.identityPolicy ? new IdentityReplicationPolicy() : new DefaultReplicationPolicy(spec.separator || '.');
}
