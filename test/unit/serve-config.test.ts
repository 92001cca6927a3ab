// `traffic-map serve` options: flag > environment > config file > default, and errors that name the
// flag, the variable or the file and key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { SERVE_OPTIONS, envName, serveConfig } from '../../server/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tm-config-'));
let files = 0;
function configFile(text: string): string {
  const path = join(dir, `config-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('serveConfig precedence', () => {
  it('takes the default when nothing sets an option', () => {
    const c = serveConfig({}, {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, simScenario: 'demo', simChurn: 0, ipBlockMatchesPods: true, publicMetrics: false, readyGraceMs: 30_000, logLevel: 'info', logFormat: 'auto' });
    expect(c.token).toBeUndefined();
    expect(c.configFile).toBeUndefined();
  });

  it('the file beats the default, the environment beats the file, the flag beats the environment', () => {
    const file = configFile('port: 9001\nsim-scenario: S\nlog-level: debug\nready-grace: 5\n');
    const fromFile = serveConfig({ config: file }, {});
    expect(fromFile).toMatchObject({ port: 9001, simScenario: 'S', logLevel: 'debug', readyGraceMs: 5000, configFile: file });

    const env = { TRAFFIC_MAP_PORT: '9002', TRAFFIC_MAP_LOG_LEVEL: 'warn' };
    const fromEnv = serveConfig({ config: file }, env);
    expect(fromEnv).toMatchObject({ port: 9002, simScenario: 'S', logLevel: 'warn', readyGraceMs: 5000 });

    const fromFlag = serveConfig({ config: file, port: '9003' }, env);
    expect(fromFlag).toMatchObject({ port: 9003, simScenario: 'S', logLevel: 'warn' });
  });

  it('finds the file through TRAFFIC_MAP_CONFIG, and --config beats it', () => {
    const a = configFile('sim-scenario: M\n');
    const b = configFile('sim-scenario: L\n');
    expect(serveConfig({}, { TRAFFIC_MAP_CONFIG: a }).simScenario).toBe('M');
    expect(serveConfig({ config: b }, { TRAFFIC_MAP_CONFIG: a }).simScenario).toBe('L');
  });

  it('reads every kind of value from each place: lists, switches, booleans, numbers', () => {
    const file = configFile(['namespace: [prod, staging]', 'allow-origin: http://a.example', 'simulate: true', 'ipblock-matches-pods: false', 'sim-churn: 2.5', 'public-metrics: true', ''].join('\n'));
    expect(serveConfig({ config: file }, {})).toMatchObject({
      namespaces: ['prod', 'staging'],
      allowedOrigins: ['http://a.example'],
      simulate: true,
      ipBlockMatchesPods: false,
      simChurn: 2.5,
      publicMetrics: true,
    });
    const env = { TRAFFIC_MAP_NAMESPACE: 'ci, kube-system', TRAFFIC_MAP_SIMULATE: 'false', TRAFFIC_MAP_IPBLOCK_MATCHES_PODS: 'true', TRAFFIC_MAP_PUBLIC_METRICS: 'false' };
    expect(serveConfig({ config: file }, env)).toMatchObject({ namespaces: ['ci', 'kube-system'], simulate: false, ipBlockMatchesPods: true, publicMetrics: false });
    expect(serveConfig({ config: file, namespace: ['x'], simulate: true }, env)).toMatchObject({ namespaces: ['x'], simulate: true });
  });

  it('treats an empty environment variable as unset', () => {
    expect(serveConfig({}, { TRAFFIC_MAP_PORT: '', TRAFFIC_MAP_TOKEN: '' })).toMatchObject({ port: 8080 });
    expect(serveConfig({}, { TRAFFIC_MAP_TOKEN: '' }).token).toBeUndefined();
  });

  it('needs a token (or --insecure-no-auth) off loopback, from any place', () => {
    expect(() => serveConfig({ host: '0.0.0.0' }, {})).toThrow(/--host 0.0.0.0 exposes the dashboard.*set --token/);
    expect(serveConfig({ host: '0.0.0.0' }, { TRAFFIC_MAP_TOKEN: 'a-long-enough-token' }).token).toBe('a-long-enough-token');
    expect(serveConfig({}, { TRAFFIC_MAP_CONFIG: configFile('host: 0.0.0.0\ninsecure-no-auth: true\n') }).insecureNoAuth).toBe(true);
  });
});

describe('serveConfig errors name the flag, the variable, or the file and key', () => {
  it.each([
    [{ port: 'http' }, {}, '--port must be a number from 0 to 65535, got "http"'],
    [{}, { TRAFFIC_MAP_PORT: '70000' }, 'TRAFFIC_MAP_PORT must be a number from 0 to 65535, got "70000"'],
    [{}, { TRAFFIC_MAP_SIM_CHURN: '-1' }, 'TRAFFIC_MAP_SIM_CHURN must be a number of events per second >= 0, got "-1"'],
    [{ logLevel: 'loud' }, {}, '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{}, { TRAFFIC_MAP_SIMULATE: 'yes' }, 'TRAFFIC_MAP_SIMULATE must be true or false, got "yes"'],
    [{ readyGrace: 'soon' }, {}, '--ready-grace must be a number of seconds >= 0, got "soon"'],
  ])('%j %j', (flags, env, message) => {
    expect(() => serveConfig(flags, env)).toThrow(message);
  });

  it('names the file and the key of a bad value', () => {
    const file = configFile('port: 8080\nsim-churn: fast\n');
    expect(() => serveConfig({ config: file }, {})).toThrow(`config file ${file}: sim-churn must be a number of events per second >= 0, got "fast"`);
    const list = configFile('namespace: {prod: true}\n');
    expect(() => serveConfig({ config: list }, {})).toThrow(`config file ${list}: namespace must be a list of texts`);
  });

  it('rejects unknown keys, and points a camelCase key to its flag name', () => {
    const typo = configFile('prot: 8080\n');
    expect(() => serveConfig({ config: typo }, {})).toThrow(new RegExp(`^config file ${typo}: unknown key "prot" \\(known keys: host, port, `));
    const camel = configFile('simScenario: M\n');
    expect(() => serveConfig({ config: camel }, {})).toThrow(`config file ${camel}: unknown key "simScenario" (did you mean "sim-scenario"? Keys are the flags' long names)`);
    // The file names other files; it cannot name itself.
    const nested = configFile('config: other.yaml\n');
    expect(() => serveConfig({ config: nested }, {})).toThrow(`unknown key "config"`);
  });

  it('says what is wrong with the file itself', () => {
    expect(() => serveConfig({ config: join(dir, 'missing.yaml') }, {})).toThrow(`config file ${join(dir, 'missing.yaml')} (--config) cannot be read: ENOENT`);
    expect(() => serveConfig({}, { TRAFFIC_MAP_CONFIG: join(dir, 'missing.yaml') })).toThrow('(TRAFFIC_MAP_CONFIG) cannot be read');
    const bad = configFile('port: [8080\n');
    expect(() => serveConfig({ config: bad }, {})).toThrow(`config file ${bad} is not valid YAML`);
    const scalar = configFile('8080\n');
    expect(() => serveConfig({ config: scalar }, {})).toThrow(`config file ${scalar} must be a mapping of option names to values`);
    expect(serveConfig({ config: configFile('') }, {}).port).toBe(8080);
  });

  it('never repeats a token in an error', () => {
    const secret = 'short-secret';
    for (const attempt of [() => serveConfig({ token: secret }, {}), () => serveConfig({}, { TRAFFIC_MAP_TOKEN: secret }), () => serveConfig({ config: configFile(`token: ${secret}\n`) }, {})]) {
      let message = '';
      try {
        attempt();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/(--token|TRAFFIC_MAP_TOKEN|: token) must be at least 16 characters$/);
      expect(message).not.toContain(secret);
    }
  });
});

describe('the option table and --help', () => {
  it('keys the table by the attribute name commander gives each flag', () => {
    for (const [key, o] of Object.entries(SERVE_OPTIONS)) expect(new Option(`--${o.name}${o.arg ? ` ${o.arg}` : ''}`).attributeName()).toBe(key);
  });

  it('traffic-map serve --help and traffic-map --help list every option with its variable and default', async () => {
    for (const argv of [['serve', '--help'], ['--help']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      const help = r.stdout.replace(/\s+/g, ' ');
      expect(help).toContain('--config <file>');
      expect(help).toContain('TRAFFIC_MAP_CONFIG');
      for (const o of Object.values(SERVE_OPTIONS)) {
        expect(help).toContain(`--${o.name}`);
        expect(help).toContain(envName(o.name));
        if (o.default !== undefined && o.default !== false) expect(help).toContain(`default ${String(o.default)}`);
      }
    }
  });

  it('a bad option through the command line exits 2 with the message, before anything starts', async () => {
    const r = await run('serve', '--port', 'http');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --port must be a number from 0 to 65535, got "http"\n');
    const file = configFile('colour: blue\n');
    const f = await run('serve', '--config', file);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`error: config file ${file}: unknown key "colour"`);
  });
});
