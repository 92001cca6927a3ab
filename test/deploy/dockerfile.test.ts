// The Dockerfile cannot be built here (no Docker engine), so these checks read it: the promises of
// issue 8 (multi-stage, production dependencies only, non-root, HEALTHCHECK, no secrets), and that
// the image has what the server runs (every source it copies exists and passes .dockerignore; the
// code it copies imports nothing outside the copied folders and no dev dependency).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './render.ts';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name?: string;
  instructions: Instruction[];
}

/** Stages and their instructions; continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [, word = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const op = word.toUpperCase();
    const name = /\sAS\s+(\S+)$/i.exec(args)?.[1];
    if (op === 'FROM') stages.push({ ...(name ? { name } : {}), instructions: [] });
    // An ARG before the first FROM belongs to no stage.
    else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(text);
const final = stages.at(-1)!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
/** COPY sources from the build context (not --from a stage), and their destinations. */
const contextCopies = (s: Stage) =>
  ops(s, 'COPY')
    .filter((a) => !a.startsWith('--from='))
    .map((a) => a.split(/\s+/).slice(0, -1))
    .flat();

describe('Dockerfile', () => {
  it('is multi-stage: the image gets node_modules from a stage that installs production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const copies = ops(final, 'COPY').filter((a) => /node_modules/.test(a));
    expect(copies).toHaveLength(1);
    const from = /^--from=(\S+)/.exec(copies[0]!)?.[1];
    const deps = stages.find((s) => s.name === from);
    expect(deps, `stage ${from}`).toBeDefined();
    const installs = ops(deps!, 'RUN').filter((r) => /npm (ci|install)/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const r of installs) expect(r).toMatch(/--omit=dev/);
    // The image installs nothing itself (no build tools, no dev dependencies).
    expect(ops(final, 'RUN').filter((r) => /npm|apt-get/.test(r))).toEqual([]);
  });

  it('runs as a numeric, non-root user, with a HEALTHCHECK on /healthz', () => {
    const user = ops(final, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^[1-9]\d*(:\d+)?$/);
    const health = ops(final, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/CMD .*\/healthz/);
  });

  it('bakes no secret in: no ARG or ENV named like one, no kubeconfig copied', () => {
    for (const s of stages) {
      for (const a of [...ops(s, 'ARG'), ...ops(s, 'ENV')]) expect(a).not.toMatch(/TOKEN|SECRET|PASSWORD|KUBECONFIG/i);
      for (const src of contextCopies(s)) expect(src).not.toMatch(/kube|\.env|secret/i);
    }
  });

  it('copies only sources that exist and that .dockerignore lets into the build context', () => {
    const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // An allow-list: exclude everything, then name what may enter.
    expect(ignore[0]).toBe('*');
    const allowed = new Set(ignore.slice(1).map((l) => l.replace(/^!/, '')));
    expect(ignore.slice(1).every((l) => l.startsWith('!'))).toBe(true);
    const sources = stages.flatMap(contextCopies);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(allowed.has(src), `${src} is not let through by .dockerignore`).toBe(true);
      expect(() => statSync(join(REPO, src)), `${src} does not exist`).not.toThrow();
    }
  });

  it("ships what the server runs: the copied code's imports stay in the copied folders and use production dependencies", () => {
    const folders = contextCopies(final).filter((src) => statSync(join(REPO, src)).isDirectory());
    expect(folders).toEqual(expect.arrayContaining(['bin', 'server', 'shared']));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const problems = folders.flatMap((f) => sourceFiles(join(REPO, f))).flatMap((file) => importProblems(file, folders, pkg.dependencies));
    expect(problems).toEqual([]);
  });

  it('the import scan finds a dev dependency and a folder the image lacks', () => {
    const deps = { express: '5' };
    const scan = (code: string) => runtimeImports(code);
    expect(scan("import type { A } from 'vitest';\nimport { b } from 'express';\nexport { c } from '../test/x.ts';\nawait import('vite');\n")).toEqual(['express', '../test/x.ts', 'vite']);
    const fake = join(REPO, 'server', 'fake.ts');
    expect(problemsOf(fake, ['express', '../test/x.ts', 'vite', 'node:fs', 'fs'], ['server'], deps)).toEqual([
      'server/fake.ts imports ../test/x.ts, outside the folders the image copies (server)',
      'server/fake.ts imports vite, which is not a production dependency',
    ]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Module specifiers the code loads at run time (type-only imports are erased). */
function runtimeImports(code: string): string[] {
  const patterns = [
    /^\s*import\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: [number, string][] = patterns.flatMap((re) => [...code.matchAll(re)].map((m): [number, string] => [m.index, m[1]!]));
  return found.sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

function importProblems(file: string, folders: string[], dependencies: Record<string, string>): string[] {
  return problemsOf(file, runtimeImports(readFileSync(file, 'utf8')), folders, dependencies);
}

function problemsOf(file: string, specifiers: string[], folders: string[], dependencies: Record<string, string>): string[] {
  const name = relative(REPO, file);
  const builtins = new Set(builtinModules);
  return specifiers.flatMap((s) => {
    if (s.startsWith('.')) {
      const target = relative(REPO, resolve(dirname(file), s));
      return folders.some((f) => target === f || target.startsWith(`${f}/`)) ? [] : [`${name} imports ${s}, outside the folders the image copies (${folders.join(', ')})`];
    }
    if (s.startsWith('node:') || builtins.has(s)) return [];
    const pkg = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
    return pkg in dependencies ? [] : [`${name} imports ${s}, which is not a production dependency`];
  });
}
