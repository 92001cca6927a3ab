// Flags, environment and config file -> one validated Config for `traffic-map serve`.
//
// Every option is a flag (`--sim-scenario demo`), an environment variable (`TRAFFIC_MAP_SIM_SCENARIO`)
// and a key of the YAML config file named by `--config` / `TRAFFIC_MAP_CONFIG` (`sim-scenario: demo`:
// the key is the flag's long name). A flag beats the environment, which beats the file, which beats
// the default. One table (SERVE_OPTIONS) drives the parsing, the errors and `--help`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './history/duration.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServeConfig {
  host: string;
  port: number;
  token?: string;
  insecureNoAuth: boolean;
  kubeconfig?: string;
  context?: string;
  /** Watch only these namespaces (for users without cluster-wide list rights). */
  namespaces?: string[];
  ipBlockMatchesPods: boolean;
  /** Watch the built-in simulated cluster even when a kubeconfig exists. */
  simulate: boolean;
  /** Scenario of the simulated cluster started when no kubeconfig is found. */
  simScenario: string;
  /** Pod events per second of simulated churn (0 = none). */
  simChurn: number;
  /** Events within this window become one delta. */
  coalesceMs: number;
  /** Browser origins allowed besides the server's own (socket.io Origin check). */
  allowedOrigins?: string[];
  /** Serve /metrics without the token even when a token is set (for scrapers that cannot send one). */
  publicMetrics: boolean;
  /** /readyz stays ready this long after a synced resource loses its watch (a blip is not an outage). */
  readyGraceMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** The config file read, when there was one (absolute path). */
  configFile?: string;
  /** Record history (time travel); off with --no-history. */
  history: boolean;
  /** The history file; absent: one per cluster in the data directory (in memory for the simulated cluster). */
  historyPath?: string;
  /** History older than this is deleted (ms). */
  retentionMs: number;
}

/** What commander hands over (camelCase of the long flag names); programmatic callers may pass typed values. */
export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string | number;
  token?: string;
  insecureNoAuth?: boolean | string;
  kubeconfig?: string;
  context?: string;
  namespace?: string[] | string;
  ipblockMatchesPods?: boolean | string;
  simulate?: boolean | string;
  simScenario?: string;
  simChurn?: string | number;
  allowOrigin?: string[] | string;
  publicMetrics?: boolean | string;
  readyGrace?: string | number;
  logLevel?: string;
  logFormat?: string;
  /** A path, or false / "off" (`--no-history`). */
  history?: string | boolean;
  retention?: string;
}

export interface OptionSpec<T> {
  /** The long flag without dashes; also the config file key. */
  name: string;
  /** Commander's argument text: `<n>`, `<ns...>`, or '' for a switch (present = true). */
  arg: string;
  help: string;
  /** Used when neither flag, environment nor file sets it; shown in --help. */
  default: T | undefined;
  /** Reads a flag value (string, or boolean for a switch), an environment string or a YAML value. */
  parse(raw: unknown, where: string): T;
}

const spec = <T>(name: string, arg: string, help: string, defaultValue: T | undefined, parse: (raw: unknown, where: string) => T): OptionSpec<T> => ({
  name,
  arg,
  help,
  default: defaultValue,
  parse,
});

function text(raw: unknown, where: string): string {
  if (typeof raw === 'number') return String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error(`${where} must be a non-empty text, got ${shown(raw)}`);
  return raw.trim();
}

function bool(raw: unknown, where: string): boolean {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`${where} must be true or false, got ${shown(raw)}`);
}

/** A list: repeated flag values, a YAML list, or one comma-separated text (environment). */
function list(raw: unknown, where: string): string[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (items === null || items.some((i) => typeof i !== 'string')) throw new Error(`${where} must be a list of texts (comma-separated in the environment), got ${shown(raw)}`);
  const out = (items as string[]).map((i) => i.trim()).filter((i) => i !== '');
  if (out.length === 0) throw new Error(`${where} must name at least one item`);
  return out;
}

function port(raw: unknown, where: string): number {
  const t = String(raw);
  if ((typeof raw !== 'string' && typeof raw !== 'number') || !/^\d+$/.test(t) || Number(t) > 65535) throw new Error(`${where} must be a number from 0 to 65535, got ${shown(raw)}`);
  return Number(t);
}

/** A number >= 0 (events per second, seconds). */
const nonNegative = (unit: string) => (raw: unknown, where: string): number => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new Error(`${where} must be a number of ${unit} >= 0, got ${shown(raw)}`);
  return n;
};

const oneOf = <T extends string>(choices: readonly T[]) => (raw: unknown, where: string): T => {
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`${where} must be one of ${choices.join(', ')}, got ${shown(raw)}`);
};

function token(raw: unknown, where: string): string {
  // Never echo the value: it is a secret even when it is too short.
  if (typeof raw !== 'string') throw new Error(`${where} must be a text`);
  if (raw.length < 16) throw new Error(`${where} must be at least 16 characters`);
  return raw;
}

/** A history file, or off (`--no-history`, `history: off`, TRAFFIC_MAP_HISTORY=off). */
function historyFile(raw: unknown, where: string): string | false {
  if (raw === false || raw === 'off' || raw === 'false') return false;
  return text(raw, where);
}

/** A duration as written (`30d`), checked. */
function duration(raw: unknown, where: string): string {
  const t = typeof raw === 'string' ? raw.trim() : String(raw);
  parseDuration(t, where);
  return t;
}

function shown(raw: unknown): string {
  return typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw) ?? String(raw);
}

/** Every option of `traffic-map serve`, keyed by commander's attribute name (camelCase of `name`). */
export const SERVE_OPTIONS = {
  host: spec('host', '<address>', 'address to listen on', '127.0.0.1', text),
  port: spec('port', '<n>', 'port to listen on (0: any free port)', 8080, port),
  token: spec('token', '<token>', 'require this bearer token (at least 16 characters) on /api, sockets and /metrics; needed off loopback', undefined, token),
  insecureNoAuth: spec('insecure-no-auth', '', 'allow a non-loopback --host without a token', false, bool),
  kubeconfig: spec('kubeconfig', '<path>', 'kubeconfig file (else $KUBECONFIG, ~/.kube/config, in-cluster)', undefined, text),
  context: spec('context', '<name>', 'kubeconfig context', undefined, text),
  namespace: spec('namespace', '<ns...>', 'watch only these namespaces (without cluster-wide list rights)', undefined, list),
  ipblockMatchesPods: spec('ipblock-matches-pods', '<bool>', 'ipBlocks also match pod IPs', true, bool),
  simulate: spec('simulate', '', 'watch the built-in simulated cluster even when a kubeconfig exists', false, bool),
  simScenario: spec('sim-scenario', '<name>', 'simulated cluster when no kubeconfig is found: demo, S, M, L', 'demo', text),
  simChurn: spec('sim-churn', '<rate>', 'simulated pod events per second', 0, nonNegative('events per second')),
  allowOrigin: spec('allow-origin', '<origin...>', 'browser origins allowed to connect besides the server itself (e.g. http://localhost:5173)', undefined, list),
  publicMetrics: spec('public-metrics', '', 'serve /metrics without the token even when --token is set', false, bool),
  readyGrace: spec('ready-grace', '<seconds>', '/readyz stays ready this long after a synced resource loses its watch', 30, nonNegative('seconds')),
  logLevel: spec('log-level', '<level>', `log level: ${LOG_LEVELS.join(', ')}`, 'info', oneOf(LOG_LEVELS)),
  logFormat: spec('log-format', '<format>', 'json (one object per line), text, or auto (text on a terminal, json otherwise)', 'auto', oneOf(LOG_FORMATS)),
  history: spec<string | false>('history', '<path>', 'history file for time travel ("off": none; default: one per cluster in ~/.local/share/traffic-map, in memory for the simulated cluster)', undefined, historyFile),
  retention: spec('retention', '<duration>', 'keep this much history: 30d, 12h, 90m', '30d', duration),
} satisfies Record<string, OptionSpec<unknown>>;

export type ServeOptionKey = keyof typeof SERVE_OPTIONS;

/** `sim-scenario` -> `TRAFFIC_MAP_SIM_SCENARIO`. */
export function envName(name: string): string {
  return `TRAFFIC_MAP_${name.toUpperCase().replace(/-/g, '_')}`;
}

export const CONFIG_ENV = 'TRAFFIC_MAP_CONFIG';

/** The help line's tail: environment variable and default. */
export function optionHelp(o: OptionSpec<unknown>): string {
  const d = o.default;
  const shownDefault = d === undefined || d === false ? '' : `; default ${Array.isArray(d) ? d.join(',') : String(d)}`;
  return `${o.help} (env ${envName(o.name)}${shownDefault})`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

const FILE_KEYS = new Map(Object.values(SERVE_OPTIONS).map((o) => [o.name, o]));

/** Reads and checks the config file: a YAML mapping of option names (kebab-case) to values. */
export function readConfigFile(path: string, named: string): ConfigFile {
  const absolute = resolve(path);
  let body: string;
  try {
    body = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new Error(`config file ${absolute} (${named}) cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(body);
  } catch (err) {
    throw new Error(`config file ${absolute} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return { path: absolute, values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`config file ${absolute} must be a mapping of option names to values (e.g. "port: 8080")`);
  const values = parsed as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (FILE_KEYS.has(key)) continue;
    const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const hint = FILE_KEYS.has(kebab) ? `did you mean "${kebab}"? Keys are the flags' long names` : `known keys: ${[...FILE_KEYS.keys()].join(', ')}`;
    throw new Error(`config file ${absolute}: unknown key "${key}" (${hint})`);
  }
  return { path: absolute, values };
}

/** Builds the config; throws an Error whose message names the flag, variable or file key that is wrong. */
export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const given = (v: unknown) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  const configPath = given(flags.config) ? flags.config : env[CONFIG_ENV];
  const file = given(configPath) ? readConfigFile(configPath!, given(flags.config) ? '--config' : CONFIG_ENV) : undefined;

  /** The option's value from the flag, else the environment, else the file, else its default. */
  function value<K extends ServeOptionKey>(key: K): (typeof SERVE_OPTIONS)[K]['default'] {
    const o: OptionSpec<unknown> = SERVE_OPTIONS[key];
    const flag = (flags as Record<string, unknown>)[key];
    if (given(flag)) return o.parse(flag, `--${o.name}`) as (typeof SERVE_OPTIONS)[K]['default'];
    const fromEnv = env[envName(o.name)];
    if (given(fromEnv)) return o.parse(fromEnv, envName(o.name)) as (typeof SERVE_OPTIONS)[K]['default'];
    if (file && o.name in file.values) return o.parse(file.values[o.name], `config file ${file.path}: ${o.name}`) as (typeof SERVE_OPTIONS)[K]['default'];
    return o.default as (typeof SERVE_OPTIONS)[K]['default'];
  }

  const host = value('host')!;
  const tokenValue = value('token');
  const insecureNoAuth = value('insecureNoAuth')!;
  if (!isLoopback(host) && tokenValue === undefined && !insecureNoAuth) {
    throw new Error(
      `--host ${host} exposes the dashboard (a map of the cluster's attack surface) beyond this machine: ` +
        'set --token (or TRAFFIC_MAP_TOKEN), or pass --insecure-no-auth if you really mean it',
    );
  }
  const kubeconfig = value('kubeconfig');
  const context = value('context');
  const namespaces = value('namespace');
  const allowedOrigins = value('allowOrigin');
  const historySetting = value('history');
  return {
    host,
    port: value('port')!,
    ...(tokenValue !== undefined ? { token: tokenValue } : {}),
    insecureNoAuth,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(context !== undefined ? { context } : {}),
    ...(namespaces !== undefined ? { namespaces } : {}),
    ipBlockMatchesPods: value('ipblockMatchesPods')!,
    simulate: value('simulate')!,
    simScenario: value('simScenario')!,
    simChurn: value('simChurn')!,
    coalesceMs: 20,
    ...(allowedOrigins !== undefined ? { allowedOrigins } : {}),
    publicMetrics: value('publicMetrics')!,
    readyGraceMs: value('readyGrace')! * 1000,
    logLevel: value('logLevel')!,
    logFormat: value('logFormat')!,
    ...(file ? { configFile: file.path } : {}),
    history: historySetting !== false,
    ...(typeof historySetting === 'string' ? { historyPath: historySetting } : {}),
    retentionMs: parseDuration(value('retention')!, '--retention'),
  };
}
