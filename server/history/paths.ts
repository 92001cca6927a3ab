// Where the history lives by default: one file per watched cluster in the user's data directory
// ($XDG_DATA_HOME/traffic-map, else ~/.local/share/traffic-map), so two clusters never share a timeline.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'traffic-map');
}

/** `history-<readable part>-<hash>.sqlite` for what is watched (e.g. `context "kind-prod" (https://...)`). */
export function defaultHistoryFile(source: string, env: NodeJS.ProcessEnv = process.env): string {
  const readable = source.replace(/\(.*\)/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'cluster';
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 10);
  return join(dataDirectory(env), `history-${readable}-${hash}.sqlite`);
}
