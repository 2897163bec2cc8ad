// The file syntax: spacing, comments, quoting and escapes, multi-line values, the → spelling, bad lines.
import { describe, expect, it } from 'vitest';
import { formatIssue, parseConnectorConfig, type FileConnectorSpec } from '../../../shared/config/index.js';

const FILE_HEAD = [
  'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
  'topic=t',
  'file.uris=gs://b/x.csv',
];
const MIRROR_HEAD = [
  'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
  'source.cluster.bootstrap.servers=127.0.0.1:19092',
  'target.cluster.bootstrap.servers=127.0.0.1:9092',
];

const fileSpec = (...lines: string[]) => {
  const parsed = parseConnectorConfig([...FILE_HEAD, ...lines].join('\n'));
  return { parsed, spec: parsed.specs[0] as FileConnectorSpec };
};

describe('config syntax', () => {
  it('accepts key = value with spaces and tabs around =', () => {
    const { parsed, spec } = fileSpec('[c]', 'name =  my-conn  ', 'tasks.max\t=\t4', '  topic= spaced ');
    expect(parsed.issues).toEqual([]);
    expect(spec.name).toBe('my-conn');
    expect(spec.tasksMax).toBe(4);
    expect(spec.topic).toBe('spaced');
  });

  it('skips # and ! comments and blank lines, and CRLF line ends', () => {
    const text = ['# a comment', ...FILE_HEAD, '', '! java-style comment', '   # indented', '[c]', 'name=n'].join(
      '\r\n',
    );
    const parsed = parseConnectorConfig(text);
    expect(parsed.issues).toEqual([]);
    expect(parsed.specs[0].name).toBe('n');
    expect(parsed.specs[0].origins.name).toEqual({ section: 'c', line: 9 });
  });

  it('resolves escapes in quoted values and removes the quotes', () => {
    const { spec } = fileSpec('[c]', 'name=n', 'file.reader.delimited.value.default="a\\tb\\nc \\"q\\" back\\\\slash"');
    expect(spec.reader.valueDefault).toBe('a\tb\nc "q" back\\slash');
    expect(spec.settings['file.reader.delimited.value.default']).toBe('a\tb\nc "q" back\\slash');
  });

  it('unescapes \\" and \\\\ in unquoted values and trims trailing space', () => {
    const { spec } = fileSpec('[c]', 'name=n', 'file.reader.delimited.value.default=keyTab=\\"/p\\" x\\\\y \\n   ');
    expect(spec.reader.valueDefault).toBe('keyTab="/p" x\\y \\n');
  });

  it('allows an empty value, quoted or not', () => {
    const { parsed, spec } = fileSpec(
      '[c]',
      'name=n',
      'file.reader.delimited.value.default=',
      'file.reader.delimited.quote=""',
    );
    expect(parsed.issues).toEqual([]);
    expect(spec.reader.valueDefault).toBe('');
    expect(spec.reader.quote).toBe('');
  });

  it('reads eol "\\\\n", "\\\\r\\\\n", \\t and a real quoted newline as control characters', () => {
    expect(fileSpec('[c]', 'name=n', 'file.reader.text.eol="\\\\r\\\\n"').spec.reader.eol).toBe('\r\n');
    expect(fileSpec('[c]', 'name=n', 'file.reader.text.eol="\\n"').spec.reader.eol).toBe('\n');
    expect(fileSpec('[c]', 'name=n', 'file.reader.text.eol=\\n').spec.reader.eol).toBe('\n');
    expect(fileSpec('[c]', 'name=n', 'file.reader.delimited.separator=\\t').spec.reader.separator).toBe('\t');
    expect(fileSpec('[c]', 'name=n', 'file.reader.delimited.separator=|').spec.reader.separator).toBe('|');
  });

  it('lets a quoted value span lines, keeping the line breaks, and continues after it', () => {
    const { parsed, spec } = fileSpec(
      '[c]',
      'file.reader.delimited.value.default="one',
      '# not a comment',
      'two"',
      'name=after',
    );
    expect(parsed.issues).toEqual([]);
    expect(spec.reader.valueDefault).toBe('one\n# not a comment\ntwo');
    expect(spec.origins['file.reader.delimited.value.default'].line).toBe(5);
    expect(spec.origins.name.line).toBe(8);
  });

  it('reports an unterminated quote and text after a closing quote', () => {
    const a = parseConnectorConfig([...FILE_HEAD, '[c]', 'name=n', 'topic="open'].join('\n'));
    expect(a.issues).toContainEqual({
      severity: 'error',
      key: 'topic',
      section: 'c',
      line: 6,
      message: 'the quoted value has no closing double quote before the end of the file',
    });
    const b = parseConnectorConfig([...FILE_HEAD, '[c]', 'name="n" extra'].join('\n'));
    expect(b.issues.map((i) => [i.key, i.line, i.message])).toContainEqual([
      'name',
      5,
      'unexpected text after the closing quote: "extra"',
    ]);
  });

  it('normalises source→target.enabled to source->target.enabled', () => {
    const parsed = parseConnectorConfig([...MIRROR_HEAD, 'source→target.enabled=true', '[m]', 'name=m'].join('\n'));
    expect(parsed.issues).toEqual([]);
    expect(parsed.specs[0].settings['source->target.enabled']).toBe('true');
    expect(parsed.specs[0].origins['source->target.enabled']).toEqual({ section: null, line: 4 });
  });

  it('warns when a key is set twice in one scope; the last value wins; a section overrides a global', () => {
    const { parsed, spec } = fileSpec('tasks.max=2', 'tasks.max=3', '[c]', 'name=n', 'topic=a', 'topic=b');
    expect(spec.tasksMax).toBe(3);
    expect(spec.topic).toBe('b');
    expect(spec.origins.topic).toEqual({ section: 'c', line: 9 });
    expect(parsed.issues.map((i) => formatIssue(i))).toEqual([
      'line 5 (global) warning: tasks.max: set again (first on line 4); the last value wins',
      'line 9 [c] warning: topic: set again (first on line 8); the last value wins',
    ]);
  });

  it('reports a line that is neither comment, section nor key=value, quoting it', () => {
    const parsed = parseConnectorConfig([...FILE_HEAD, '[c]', 'name=n', 'this is not a setting'].join('\n'));
    expect(parsed.issues).toEqual([
      {
        severity: 'error',
        section: 'c',
        line: 6,
        message: 'line 6 is not key=value, a [section] or a # comment: "this is not a setting"',
      },
    ]);
  });

  it('reports bad section headers', () => {
    const parsed = parseConnectorConfig([...FILE_HEAD, '[]', '[c', '[c]', 'name=n'].join('\n'));
    expect(parsed.issues.map((i) => [i.line, i.message])).toEqual([
      [4, 'bad section header "[]": expected [title]'],
      [5, 'bad section header "[c": expected [title]'],
    ]);
  });
});
