// Finds the cluster to watch the way kubectl does: `--kubeconfig PATH`, else the files in $KUBECONFIG
// (merged, first one wins per name), else ~/.kube/config, else the in-cluster service account.
// `--context NAME` picks a context other than the current one. Null when nothing is found, so the
// server can fall back to the simulated cluster; every other problem is an Error that says what to fix.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the in-cluster service account is mounted in every pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** `--kubeconfig PATH`: this file only (it must exist). */
  kubeconfig?: string;
  /** `--context NAME`: instead of the file's current-context. */
  context?: string;
  /** Defaults to process.env (KUBECONFIG, KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to os.homedir(). */
  home?: string;
  /** Defaults to SERVICE_ACCOUNT_DIR (tests point it elsewhere). */
  serviceAccountDir?: string;
}

export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** `context "kind-prod" (https://127.0.0.1:6443)` or `in-cluster service account (https://10.96.0.1:443)`. */
  description: string;
}

type Cluster = KubeConfig['clusters'][number];
type User = KubeConfig['users'][number];
type Context = KubeConfig['contexts'][number];

interface Loaded {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  /** The files the configuration came from, for messages. */
  files: string[];
}

export function resolveKubeConfig(opts: KubeConfigOptions = {}): ResolvedKubeConfig | null {
  const env = opts.env ?? process.env;
  const home = opts.home ?? os.homedir();

  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
    const file = path.resolve(opts.kubeconfig);
    if (!fs.existsSync(file)) throw new Error(`--kubeconfig ${opts.kubeconfig}: no such file`);
    return fromFiles([file], opts.context, `--kubeconfig ${opts.kubeconfig}`);
  }

  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') {
    // Like kubectl: files that do not exist are skipped, and $KUBECONFIG replaces ~/.kube/config.
    const files = fromEnv
      .split(path.delimiter)
      .filter((f) => f !== '')
      .map((f) => path.resolve(f));
    const existing = files.filter((f) => fs.existsSync(f));
    if (existing.length > 0) return fromFiles(existing, opts.context, `KUBECONFIG=${fromEnv}`);
  } else if (home !== '') {
    const file = path.join(home, '.kube', 'config');
    if (fs.existsSync(file)) return fromFiles([file], opts.context, file);
  }

  return inCluster(env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, opts.context);
}

function fromFiles(files: string[], context: string | undefined, origin: string): ResolvedKubeConfig {
  const merged: Loaded = { clusters: [], users: [], contexts: [], currentContext: '', files };
  for (const file of files) {
    const one = loadFile(file);
    // kubectl's merge rule: the first file that defines a name (or the current-context) wins.
    for (const c of one.clusters) if (!merged.clusters.some((x) => x.name === c.name)) merged.clusters.push(c);
    for (const u of one.users) if (!merged.users.some((x) => x.name === u.name)) merged.users.push(u);
    for (const c of one.contexts) if (!merged.contexts.some((x) => x.name === c.name)) merged.contexts.push(c);
    if (merged.currentContext === '' && one.currentContext) merged.currentContext = one.currentContext;
  }
  return select(merged, context, origin);
}

function loadFile(file: string): KubeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${file}: ${messageOf(err)}`, { cause: err });
  }
  const kc = new KubeConfig();
  if (text.trim() === '') {
    // An empty file is an empty configuration (kubectl agrees).
    kc.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
    return kc;
  }
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new Error(`invalid kubeconfig ${file}: ${messageOf(err)}`, { cause: err });
  }
  // A YAML document without these lists loads as undefined; treat it as empty.
  kc.clusters ??= [];
  kc.users ??= [];
  kc.contexts ??= [];
  return kc;
}

function select(loaded: Loaded, wanted: string | undefined, origin: string): ResolvedKubeConfig {
  const names = loaded.contexts.map((c) => c.name);
  const available = names.length > 0 ? `available: ${names.map((n) => `"${n}"`).join(', ')}` : 'it defines no contexts';
  let name: string;
  if (wanted !== undefined && wanted !== '') {
    name = wanted;
    if (!names.includes(name)) throw new Error(`context "${name}" not found in ${origin} (${available})`);
  } else {
    if (!loaded.currentContext) {
      throw new Error(`${origin} has no current-context: pass --context NAME (${available})`);
    }
    name = loaded.currentContext;
    if (!names.includes(name)) {
      throw new Error(`the current-context "${name}" of ${origin} is not defined there (${available}); pass --context NAME`);
    }
  }
  const context = loaded.contexts.find((c) => c.name === name)!;
  const cluster = loaded.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new Error(`context "${name}" in ${origin} refers to cluster "${context.cluster}", which is not defined`);
  if (context.user && !loaded.users.some((u) => u.name === context.user)) {
    throw new Error(`context "${name}" in ${origin} refers to user "${context.user}", which is not defined`);
  }
  checkServer(cluster.server, `cluster "${cluster.name}" in ${origin}`);

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: loaded.clusters.map(allowPlainHttp),
    users: loaded.users,
    contexts: loaded.contexts,
    currentContext: name,
  });
  return { kubeConfig, description: `context "${name}" (${cluster.server})` };
}

/**
 * kubectl talks plain http to an http:// server; client-node refuses unless skipTLSVerify is set
 * ("HTTP protocol is not allowed when skipTLSVerify is not set or false"). There is no TLS to
 * verify over http, so setting it changes nothing else.
 */
function allowPlainHttp(cluster: Cluster): Cluster {
  return cluster.server.startsWith('http://') && !cluster.skipTLSVerify ? { ...cluster, skipTLSVerify: true } : cluster;
}

function checkServer(server: string, where: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`${where}: server "${server}" is not a URL (expected https://host:port)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${where}: server "${server}" must start with https:// or http://`);
  }
}

function inCluster(env: NodeJS.ProcessEnv, dir: string, context: string | undefined): ResolvedKubeConfig | null {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  const tokenFile = path.join(dir, 'token');
  if (!host || !port) return null;
  if (!fs.existsSync(tokenFile)) return null;
  if (context !== undefined && context !== '') {
    throw new Error(
      `--context ${context}: no kubeconfig was found (--kubeconfig, $KUBECONFIG, ~/.kube/config), ` +
        'and the in-cluster service account has no contexts',
    );
  }
  try {
    fs.accessSync(tokenFile, fs.constants.R_OK);
  } catch (err) {
    throw new Error(`cannot read the service account token ${tokenFile}: ${messageOf(err)}`, { cause: err });
  }
  const server = `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const caFile = path.join(dir, 'ca.crt');
  const namespaceFile = path.join(dir, 'namespace');
  const namespace = fs.existsSync(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() : undefined;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, skipTLSVerify: false, ...(fs.existsSync(caFile) ? { caFile } : {}) }],
    // The token file is read again when it changes: projected tokens rotate (about hourly).
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', ...(namespace ? { namespace } : {}) }],
    currentContext: 'in-cluster',
  });
  return { kubeConfig, description: `in-cluster service account (${server})` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
