// docker-compose.yml: valid against the Compose Specification's JSON schema (the copy dclint ships,
// which tracks compose-spec), and it keeps its promises: everything on this machine's 127.0.0.1,
// the kubeconfig read-only, hardened containers, a demo profile whose dashboard reaches the
// simulated cluster, no secret in the file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './render.ts';

const require = createRequire(import.meta.url);
const SCHEMA_FILE = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');

interface Service {
  profiles?: string[];
  command?: string[];
  ports?: string[];
  environment?: string[] | Record<string, string | null>;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } })[];
  configs?: { source: string; target: string }[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  privileged?: boolean;
  user?: string;
  tmpfs?: string[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string }>;
}

// Compose reads YAML merge keys (`<<: *anchor`); so must the test.
const text = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as ComposeFile;

// The file names draft-07 by its https address; Ajv knows that meta-schema by the http one (dclint does the same).
const schema = { ...(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object), $schema: 'http://json-schema.org/draft-07/schema#' };
// Ajv's strict mode otherwise, except its type-style rules, which the upstream schema does not follow.
const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(schema);

function schemaErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `docker-compose.yml${e.instancePath.replace(/\//g, '.')}: ${e.message ?? e.keyword}`);
}

const flagValue = (args: string[] | undefined, flag: string) => args?.[args.indexOf(flag) + 1];

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification JSON schema', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('the schema check rejects what Compose rejects (an unknown service key, a wrong type)', () => {
    const broken = structuredClone(compose);
    (broken.services['sim'] as Record<string, unknown>)['prots'] = ['1:1'];
    (broken.services['demo'] as Record<string, unknown>)['ports'] = 8080;
    const errors = schemaErrors(broken).join('\n');
    expect(errors).toMatch(/services\.sim: must NOT have additional properties/);
    expect(errors).toMatch(/services\.demo\.ports: must be array/);
  });

  it('has a cluster profile (the dashboard) and a demo profile (dashboard and simulated cluster), each on 127.0.0.1:8080', () => {
    const byProfile = (p: string) => Object.keys(compose.services).filter((s) => compose.services[s]!.profiles?.includes(p)).sort();
    expect(byProfile('cluster')).toEqual(['dashboard']);
    expect(byProfile('demo')).toEqual(['demo', 'sim']);
    for (const name of ['dashboard', 'demo']) {
      const s = compose.services[name]!;
      expect(s.command?.[0]).toBe('serve');
      expect(s.ports).toEqual([`127.0.0.1:8080:${flagValue(s.command, '--port')}`]);
    }
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('mounts the kubeconfig read-only, and never creates it on the host', () => {
    const dashboard = compose.services['dashboard']!;
    const kubeconfig = flagValue(dashboard.command, '--kubeconfig');
    const mount = dashboard.volumes?.find((v) => typeof v === 'object' && v.target === kubeconfig);
    expect(mount).toMatchObject({ type: 'bind', read_only: true, bind: { create_host_path: false } });
  });

  it('runs every container hardened: read-only root filesystem, no capabilities, no privilege gain, not root', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, readOnly: s.read_only, capDrop: s.cap_drop, securityOpt: s.security_opt }).toEqual({
        name,
        readOnly: true,
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges:true'],
      });
      expect(s.privileged).toBeUndefined();
      // The image's USER (1000) applies unless a service overrides it.
      expect(s.user).toBeUndefined();
      expect(s.tmpfs).toContain('/tmp');
    }
  });

  it('the demo dashboard reaches the simulated cluster by service name and port, once it is healthy', () => {
    const demo = compose.services['demo']!;
    const sim = compose.services['sim']!;
    expect(sim.command?.[0]).toBe('sim');
    expect(demo.depends_on).toEqual({ sim: { condition: 'service_healthy' } });
    expect(sim.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${flagValue(sim.command, '--port')}/healthz`);
    const mount = demo.configs?.find((c) => c.target === flagValue(demo.command, '--kubeconfig'));
    expect(mount).toBeDefined();
    const kubeconfig = parse(compose.configs?.[mount!.source]?.content ?? '') as { clusters: { cluster: { server: string } }[] };
    expect(kubeconfig.clusters.map((c) => c.cluster.server)).toEqual([`http://sim:${flagValue(sim.command, '--port')}`]);
  });

  it('holds no secret: the token can only come from the environment of `docker compose`', () => {
    for (const s of Object.values(compose.services)) {
      const env = s.environment ?? [];
      const entries = Array.isArray(env) ? env : Object.entries(env).map(([k, v]) => (v === null ? k : `${k}=${v}`));
      expect(entries.filter((e) => /TOKEN|SECRET|PASSWORD/i.test(e) && e.includes('='))).toEqual([]);
    }
    expect(text).not.toMatch(/--token/);
  });
});
