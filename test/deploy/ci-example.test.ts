// examples/ci/traffic-map-gate.yml: the commands it runs exist, with the options it gives them
// (so the example does not rot as the CLI changes), and it asks for no more than read access.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../server/cli/main.ts';
import { REPO } from './render.ts';

interface Workflow {
  on: { pull_request?: unknown };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { run?: string }[] }>;
}

const workflow = parse(readFileSync(join(REPO, 'examples/ci/traffic-map-gate.yml'), 'utf8')) as Workflow;
const scripts = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));

/** Each `traffic-map COMMAND ARGS` of the scripts (also after `npx`), up to a pipe or the end of the line. */
function invocations(script: string): { command: string; options: string[] }[] {
  return [...script.matchAll(/(?:^|[\s;&(])traffic-map\s+([a-z-]+)([^|;&\n]*)/g)].map((m) => ({
    command: m[1]!,
    options: [...m[2]!.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((o) => o[1]!),
  }));
}

const program = buildProgram({ out: () => undefined, err: () => undefined }, () => undefined);

/** The commands and options of these calls that traffic-map does not have. */
function unknownUses(calls: { command: string; options: string[] }[]): string[] {
  return calls.flatMap((call) => {
    const command = program.commands.find((c) => c.name() === call.command);
    if (!command) return [`traffic-map ${call.command}`];
    const known = command.options.map((o) => o.long);
    return call.options.filter((o) => !known.includes(o)).map((o) => `traffic-map ${call.command} ${o}`);
  });
}

describe('the CI gate example', () => {
  const calls = scripts.flatMap(invocations);

  it('runs on pull requests with read-only access to the repository', () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('gates with `unprotected --fail` and reports with `diff --output`', () => {
    expect(calls).toEqual(
      expect.arrayContaining([
        { command: 'unprotected', options: ['--fail'] },
        { command: 'diff', options: ['--output'] },
      ]),
    );
  });

  it('uses only commands and options that traffic-map has', () => {
    expect(calls.length).toBeGreaterThan(0);
    expect(unknownUses(calls)).toEqual([]);
  });

  it('finds each invocation in a script, and names a command or option the CLI lacks', () => {
    const found = invocations('npx traffic-map unprotected --fail m/ && traffic-map diff a b --output text | tee x; traffic-map lint --fail-fast x');
    expect(found).toEqual([
      { command: 'unprotected', options: ['--fail'] },
      { command: 'diff', options: ['--output'] },
      { command: 'lint', options: ['--fail-fast'] },
    ]);
    expect(unknownUses([...found, { command: 'unprotected', options: ['--fail-fast'] }])).toEqual(['traffic-map lint', 'traffic-map unprotected --fail-fast']);
  });
});
