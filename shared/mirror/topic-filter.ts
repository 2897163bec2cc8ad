// Which source topics a connector mirrors, as MirrorMaker 2's DefaultTopicFilter plus the connector's own guards:
// `topics` and `topics.exclude` are comma lists of names or regexes matched against the whole name (Java `matches`);
// internal topics and topics that came from the target alias (a replication cycle) are never mirrored.
import { compileJavaRegExp, type JavaPattern } from '../config/java-regexp.js';
import type { ReplicationPolicy } from './replication-policy.js';

/** MM2's default `topics.exclude`. */
export const DEFAULT_TOPICS_EXCLUDE = ['.*[\\-\\.]internal', '.*\\.replica', '__.*'];

export class TopicFilter {
  private readonly include: JavaPattern[];
  private readonly exclude: JavaPattern[];

  constructor(
    topics: string[],
    topicsExclude: string[] | undefined,
    private readonly policy: ReplicationPolicy,
    private readonly targetAlias: string,
  ) {
    this.include = TopicFilter.compile(topics.length ? topics : ['.*'], 'topics');
    this.exclude = TopicFilter.compile(
      topicsExclude?.length ? topicsExclude : DEFAULT_TOPICS_EXCLUDE,
      'topics.exclude',
    );
  }

  /** Each entry is a Java regex (a plain name is one too), matched against the whole topic name. */
  private static compile(patterns: string[], key: string): JavaPattern[] {
    return patterns
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const r = compileJavaRegExp(p, { whole: true });
        if (!r.ok) throw new Error(`${key}: ${p} is not a usable regular expression: ${r.reason}`);
        return r.regexp;
      });
  }

  /** Why a topic is not mirrored, or undefined when it is. */
  rejectReason(topic: string): string | undefined {
    if (this.policy.isInternalTopic(topic)) return 'internal topic';
    if (this.policy.topicSource(topic) === this.targetAlias) return `replicated from ${this.targetAlias} (cycle)`;
    if (!this.include.some((r) => r.test(topic))) return 'not in topics';
    if (this.exclude.some((r) => r.test(topic))) return 'in topics.exclude';
    return undefined;
  }

  shouldReplicate(topic: string): boolean {
    return this.rejectReason(topic) === undefined;
  }
}
