import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveKubeConfig } from '../../server/cluster/kubeconfig.ts';

let dir: string;
let home: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traffic-map-kubeconfig-'));
  home = path.join(dir, 'home');
  fs.mkdirSync(home);
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(contexts: { name: string; server: string; cluster?: string; user?: string }[], current?: string, extra = ''): string {
  const lines = ['apiVersion: v1', 'kind: Config'];
  if (current !== undefined) lines.push(`current-context: ${current}`);
  lines.push('clusters:');
  for (const c of contexts) lines.push(`- name: ${c.cluster ?? c.name}`, '  cluster:', `    server: ${c.server}`);
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.user ?? c.name}`, '  user:', `    token: token-${c.name}`);
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.cluster ?? c.name}`, `    user: ${c.user ?? c.name}`);
  return lines.join('\n') + '\n' + extra;
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const none = { env: {} as NodeJS.ProcessEnv };

describe('resolveKubeConfig', () => {
  it('is null when there is nothing to connect to', () => {
    expect(resolveKubeConfig({ ...none, home, serviceAccountDir: path.join(dir, 'sa') })).toBeNull();
  });

  it('reads ~/.kube/config and describes the context', () => {
    write('home/.kube/config', kubeconfig([{ name: 'kind-prod', server: 'https://127.0.0.1:6443' }, { name: 'dev', server: 'https://dev:6443' }], 'kind-prod'));
    const r = resolveKubeConfig({ ...none, home })!;
    expect(r.description).toBe('context "kind-prod" (https://127.0.0.1:6443)');
    expect(r.kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(r.kubeConfig.getCurrentUser()?.token).toBe('token-kind-prod');
  });

  it('--context picks another context; an unknown one is a clear error', () => {
    write('home/.kube/config', kubeconfig([{ name: 'kind-prod', server: 'https://127.0.0.1:6443' }, { name: 'dev', server: 'https://dev:6443' }], 'kind-prod'));
    expect(resolveKubeConfig({ ...none, home, context: 'dev' })!.description).toBe('context "dev" (https://dev:6443)');
    expect(() => resolveKubeConfig({ ...none, home, context: 'nope' })).toThrow(
      `context "nope" not found in ${path.join(home, '.kube', 'config')} (available: "kind-prod", "dev")`,
    );
  });

  it('--kubeconfig wins over $KUBECONFIG and ~/.kube/config, and must exist', () => {
    write('home/.kube/config', kubeconfig([{ name: 'home', server: 'https://home:6443' }], 'home'));
    const env = write('env.yaml', kubeconfig([{ name: 'env', server: 'https://env:6443' }], 'env'));
    const flag = write('flag.yaml', kubeconfig([{ name: 'flag', server: 'https://flag:6443' }], 'flag'));
    expect(resolveKubeConfig({ env: { KUBECONFIG: env }, home, kubeconfig: flag })!.description).toContain('"flag"');
    expect(resolveKubeConfig({ env: { KUBECONFIG: env }, home })!.description).toContain('"env"');
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: path.join(dir, 'missing.yaml') })).toThrow(/--kubeconfig .*missing\.yaml: no such file/);
  });

  it('$KUBECONFIG: merges the files, the first one wins, missing files are skipped', () => {
    const a = write('a.yaml', kubeconfig([{ name: 'shared', server: 'https://a:6443' }, { name: 'only-a', server: 'https://only-a:6443' }]));
    const b = write('b.yaml', kubeconfig([{ name: 'shared', server: 'https://b:6443' }, { name: 'only-b', server: 'https://only-b:6443' }], 'only-b'));
    const list = [path.join(dir, 'missing.yaml'), a, b].join(path.delimiter);
    const r = resolveKubeConfig({ env: { KUBECONFIG: list }, home })!;
    // a.yaml has no current-context: b.yaml's applies.
    expect(r.description).toBe('context "only-b" (https://only-b:6443)');
    expect(resolveKubeConfig({ env: { KUBECONFIG: list }, home, context: 'shared' })!.description).toBe('context "shared" (https://a:6443)');
    expect(resolveKubeConfig({ env: { KUBECONFIG: list }, home, context: 'only-a' })).not.toBeNull();
  });

  it('$KUBECONFIG replaces ~/.kube/config (like kubectl)', () => {
    write('home/.kube/config', kubeconfig([{ name: 'home', server: 'https://home:6443' }], 'home'));
    expect(resolveKubeConfig({ env: { KUBECONFIG: path.join(dir, 'missing.yaml') }, home, serviceAccountDir: path.join(dir, 'sa') })).toBeNull();
  });

  it('sets skipTLSVerify for plain http servers (client-node refuses http otherwise)', () => {
    const file = write('c.yaml', kubeconfig([{ name: 'sim', server: 'http://127.0.0.1:8080' }, { name: 'tls', server: 'https://x:6443' }], 'sim'));
    const r = resolveKubeConfig({ env: {}, home, kubeconfig: file })!;
    expect(r.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(r.kubeConfig.getCluster('tls')?.skipTLSVerify).toBe(false);
  });

  it('explains broken files', () => {
    const noCurrent = write('no-current.yaml', kubeconfig([{ name: 'a', server: 'https://a:6443' }]));
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: noCurrent })).toThrow(/has no current-context: pass --context NAME \(available: "a"\)/);

    const dangling = write('dangling.yaml', kubeconfig([{ name: 'a', server: 'https://a:6443' }], 'gone'));
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: dangling })).toThrow(/current-context "gone" .* is not defined there/);

    const noCluster = write(
      'no-cluster.yaml',
      'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters: []\nusers: []\ncontexts:\n- name: a\n  context:\n    cluster: missing\n    user: u\n',
    );
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: noCluster })).toThrow(/context "a" .* refers to cluster "missing", which is not defined/);

    const noUser = write('no-user.yaml', kubeconfig([{ name: 'a', server: 'https://a:6443', user: 'u' }], 'a').replace('- name: u\n  user:\n    token: token-a\n', ''));
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: noUser })).toThrow(/refers to user "u", which is not defined/);

    const badYaml = write('bad.yaml', 'clusters: [\n');
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: badYaml })).toThrow(/invalid kubeconfig .*bad\.yaml/);

    const noServer = write('no-server.yaml', 'clusters:\n- name: a\n  cluster: {}\n');
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: noServer })).toThrow(/invalid kubeconfig .*: clusters\[0\]\.cluster\.server is missing/);

    const badServer = write('bad-server.yaml', kubeconfig([{ name: 'a', server: 'ftp://a' }], 'a'));
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: badServer })).toThrow(/server "ftp:\/\/a" must start with https:\/\/ or http:\/\//);

    const empty = write('empty.yaml', '');
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: empty })).toThrow(/has no current-context: pass --context NAME \(it defines no contexts\)/);
  });

  it('explains an unreadable file', () => {
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: home })).toThrow(/cannot read kubeconfig .*home: EISDIR/);
    const file = write('secret.yaml', kubeconfig([{ name: 'a', server: 'https://a:6443' }], 'a'));
    fs.chmodSync(file, 0o000);
    let readable = true;
    try {
      fs.readFileSync(file);
    } catch {
      readable = false;
    }
    if (readable) return; // running as root: permissions do not stop us
    expect(() => resolveKubeConfig({ env: {}, home, kubeconfig: file })).toThrow(/cannot read kubeconfig .*secret\.yaml: EACCES/);
  });

  it('uses the in-cluster service account when there is no kubeconfig', () => {
    const sa = path.join(dir, 'sa');
    fs.mkdirSync(sa);
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // No token file: not in a pod.
    expect(resolveKubeConfig({ env, home, serviceAccountDir: sa })).toBeNull();
    fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
    fs.writeFileSync(path.join(sa, 'ca.crt'), 'ca');
    fs.writeFileSync(path.join(sa, 'namespace'), 'traffic-map\n');
    const r = resolveKubeConfig({ env, home, serviceAccountDir: sa })!;
    expect(r.description).toBe('in-cluster service account (https://10.96.0.1:443)');
    expect(r.kubeConfig.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: path.join(sa, 'ca.crt'), skipTLSVerify: false });
    expect(r.kubeConfig.getContextObject(r.kubeConfig.getCurrentContext())?.namespace).toBe('traffic-map');
    expect(resolveKubeConfig({ env: { ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' }, home, serviceAccountDir: sa })!.description).toContain('https://[fd00::1]:443');
    expect(() => resolveKubeConfig({ env, home, serviceAccountDir: sa, context: 'prod' })).toThrow(/--context prod: no kubeconfig was found/);
    // A kubeconfig, when there is one, wins (as with kubectl).
    write('home/.kube/config', kubeconfig([{ name: 'home', server: 'https://home:6443' }], 'home'));
    expect(resolveKubeConfig({ env, home, serviceAccountDir: sa })!.description).toContain('"home"');
  });

  it('sends the in-cluster token', async () => {
    const sa = path.join(dir, 'sa');
    fs.mkdirSync(sa);
    fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
    const r = resolveKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, home, serviceAccountDir: sa })!;
    const options: { headers?: Record<string, string> } = {};
    await r.kubeConfig.applyToHTTPSOptions(options);
    expect(options.headers?.['Authorization']).toBe('Bearer sa-token');
  });
});
