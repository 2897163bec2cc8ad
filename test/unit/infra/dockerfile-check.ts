// The mirror Dockerfile must run the file `npm run build` produces from functions/mirror.ts, with package.json beside
// dist/ (its "type": "module" makes Node load dist/*.js as ES modules). No Docker engine runs here, so the check reads
// the Dockerfile and maps the container path back through COPY and WORKDIR to the build output.
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Problem } from './terraform-model.js';

interface Instruction {
  op: string;
  args: string;
  line: number;
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const start = i + 1;
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) line = line.trimEnd().slice(0, -1) + ' ' + lines[++i];
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start });
  }
  return out;
}

const words = (args: string): string[] => {
  if (args.startsWith('[')) {
    try {
      return JSON.parse(args) as string[];
    } catch {
      return [];
    }
  }
  return args.split(/\s+/).filter(Boolean);
};

export interface DockerfileFacts {
  /** Absolute path in the image of the script node runs. */
  script?: string;
  /** Repository path that COPY put there. */
  sourcePath?: string;
  packageJsonInApp: boolean;
}

/** Reads CMD/ENTRYPOINT, WORKDIR and COPY lines; returns what runs and where it came from, or the problems. */
export function readDockerfile(text: string, file: string): { facts: DockerfileFacts; problems: Problem[] } {
  const problems: Problem[] = [];
  const ins = instructions(text);
  let workdir = '/';
  const copies: { src: string[]; dest: string; line: number }[] = [];
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let commandLine = 0;
  for (const i of ins) {
    if (i.op === 'FROM') {
      workdir = '/';
      copies.length = 0;
    } else if (i.op === 'WORKDIR') workdir = posix.resolve(workdir, i.args);
    else if (i.op === 'COPY' || i.op === 'ADD') {
      const parts = words(i.args).filter((w) => !w.startsWith('--'));
      if (parts.length >= 2)
        copies.push({ src: parts.slice(0, -1), dest: posix.resolve(workdir, parts[parts.length - 1]), line: i.line });
    } else if (i.op === 'ENTRYPOINT') {
      entrypoint = words(i.args);
      commandLine = i.line;
    } else if (i.op === 'CMD') {
      cmd = words(i.args);
      commandLine = i.line;
    }
  }
  // Docker runs ENTRYPOINT with CMD as its arguments.
  const command = [...entrypoint, ...cmd];
  const facts: DockerfileFacts = { packageJsonInApp: false };
  const nodeAt = command.findIndex((w) => /(^|\/)node$/.test(w));
  const script = command.slice(nodeAt + 1).find((w) => !w.startsWith('-'));
  if (nodeAt < 0 || !script) {
    problems.push({
      file,
      where: `line ${commandLine || '?'}`,
      reason: `CMD/ENTRYPOINT ${JSON.stringify(command)} does not run a script with node`,
    });
    return { facts, problems };
  }
  facts.script = posix.resolve(workdir, script);
  const appDir = posix.dirname(posix.dirname(posix.dirname(facts.script))); // <app>/dist/functions/x.js -> <app>

  // Last COPY whose destination covers the script wins, as in the image.
  for (const c of [...copies].reverse()) {
    for (const src of c.src) {
      const dir = c.dest.endsWith('/') || c.src.length > 1 || !posix.extname(src) ? c.dest : posix.dirname(c.dest);
      const target = posix.extname(src) ? posix.join(dir, posix.basename(src)) : c.dest;
      if (facts.sourcePath === undefined) {
        if (facts.script === target) facts.sourcePath = posix.normalize(src);
        else if (facts.script.startsWith(target.replace(/\/$/, '') + '/'))
          facts.sourcePath = posix.join(src, posix.relative(target, facts.script));
      }
      if (
        posix.basename(src) === 'package.json' &&
        (target === posix.join(appDir, 'package.json') ||
          posix.join(dir, 'package.json') === posix.join(appDir, 'package.json'))
      )
        facts.packageJsonInApp = true;
      if (src === '.' && c.dest.replace(/\/$/, '') === appDir) facts.packageJsonInApp = true;
    }
  }
  if (!facts.sourcePath)
    problems.push({ file, where: `line ${commandLine}`, reason: `no COPY puts ${facts.script} into the image` });
  if (!facts.packageJsonInApp)
    problems.push({
      file,
      where: '-',
      reason: `no COPY puts package.json into ${appDir}: Node would load dist/*.js as CommonJS`,
    });
  return { facts, problems };
}

/** The Dockerfile's script must be what tsconfig compiles functions/mirror.ts to (checked against a real build output). */
export function checkDockerfile(
  dockerfilePath: string,
  buildOutDir: string,
  expectedSource = 'functions/mirror.ts',
): Problem[] {
  if (!existsSync(dockerfilePath))
    return [{ file: dockerfilePath, where: '-', reason: 'Dockerfile for the mirror container does not exist yet' }];
  const { facts, problems } = readDockerfile(readFileSync(dockerfilePath, 'utf8'), dockerfilePath);
  if (!facts.sourcePath) return problems;
  const expected = posix.join('dist', expectedSource.replace(/\.ts$/, '.js'));
  if (facts.sourcePath !== expected)
    problems.push({
      file: dockerfilePath,
      where: 'CMD',
      reason: `runs ${facts.sourcePath}, but ${expectedSource} compiles to ${expected}`,
    });
  const built = posix.join(buildOutDir, posix.relative('dist', facts.sourcePath));
  if (!existsSync(built))
    problems.push({
      file: dockerfilePath,
      where: 'CMD',
      reason: `${facts.sourcePath} is not produced by the build (looked for ${built})`,
    });
  return problems;
}
