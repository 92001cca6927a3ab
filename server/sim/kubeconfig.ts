// A kubeconfig for the simulated cluster: kubectl, client-node and the dashboard read it as is.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  /** Bearer token of the user (a user without credentials otherwise). */
  token?: string;
  /** Context, cluster and user name (default traffic-map-sim). */
  name?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const name = o.name ?? 'traffic-map-sim';
  // insecure-skip-tls-verify: the certificate is self-signed; over plain http client-node also
  // needs it ("HTTP protocol is not allowed when skipTLSVerify is not set or false").
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster: { server: o.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-user`, user: o.token === undefined ? {} : { token: o.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': name,
  };
  return stringify(config);
}

/** Writes the kubeconfig (mode 0600, parent folders created); returns the path. */
export async function writeKubeconfigFile(path: string, o: KubeconfigOptions): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(o), { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}
