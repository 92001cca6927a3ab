// The server log: JSON lines with levels, the level filter, plain text for people, and no token
// ever written.
import { describe, expect, it } from 'vitest';
import { createLogger, textLine } from '../../server/log.ts';

function capture(level: 'info' | 'debug' | 'warn', format: 'json' | 'text' | 'auto', isTTY = false) {
  const lines: string[] = [];
  const log = createLogger({ level, format, isTTY, write: (l) => lines.push(l) });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line, with the level as a word and an ISO time', () => {
    const { log, lines } = capture('info', 'json');
    log.info('Traffic Map on http://127.0.0.1:8080');
    log.warn({ resource: 'pods' }, 'watch restarted');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 'info', msg: 'Traffic Map on http://127.0.0.1:8080', pid: process.pid });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', resource: 'pods', msg: 'watch restarted' });
  });

  it('drops lines below the level', () => {
    const { log, lines } = capture('warn', 'json');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['w', 'e']);
  });

  it('redacts tokens and authorization headers wherever they sit in a logged object', () => {
    const { log, lines } = capture('debug', 'json');
    const secret = 'correct-horse-battery-staple';
    log.debug({ config: { port: 8080, token: secret } }, 'configuration');
    log.info({ token: secret, req: { headers: { authorization: `Bearer ${secret}` } } }, 'request');
    expect(lines.join('')).not.toContain(secret);
    expect(JSON.parse(lines[0]!).config).toEqual({ port: 8080, token: '[redacted]' });
  });

  it('writes plain lines in text format (and in auto on a terminal), warnings marked', () => {
    for (const [format, tty] of [['text', false], ['auto', true]] as const) {
      const { log, lines } = capture('info', format, tty);
      log.info('Change it with kubectl:  kubectl --kubeconfig /tmp/x get pods -A');
      log.warn({ resource: 'pods' }, 'watch restarted');
      expect(lines).toEqual(['Change it with kubectl:  kubectl --kubeconfig /tmp/x get pods -A\n', 'warning: watch restarted resource=pods\n']);
    }
    const { log, lines } = capture('info', 'auto', false);
    log.info('x');
    expect(JSON.parse(lines[0]!).msg).toBe('x');
  });

  it('textLine keeps a line that is not JSON as it is', () => {
    expect(textLine('not json\n')).toBe('not json\n');
  });
});
