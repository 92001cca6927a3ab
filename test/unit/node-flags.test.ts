// The server runs with the same Node flags however it is started (see server/node-flags.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../server/node-flags.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const flags = SERVER_NODE_FLAGS.join(' ');

describe('the server Node flags', () => {
  it('are on the traffic-map shebang', () => {
    expect(read('bin/traffic-map.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('are on npm start', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toBe(`node ${flags} bin/traffic-map.js serve`);
  });

  it("are on the container's entrypoint", () => {
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ${JSON.stringify(['node', ...SERVER_NODE_FLAGS, 'bin/traffic-map.js'])}`.replaceAll('","', '", "'));
  });

  it("are on the benchmarks' server processes", () => {
    for (const bench of ['socket', 'soak', 'browser']) expect(read(`bench/${bench}.ts`)).toContain('execArgv: [...EXEC, ...SERVER_NODE_FLAGS]');
    expect(read('bench/history.ts')).toContain("'--max-old-space-size=8192', ...SERVER_NODE_FLAGS]");
  });
});
