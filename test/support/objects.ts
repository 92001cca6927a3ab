// Tiny builders for raw Kubernetes objects in tests: what a manifest would say, nothing more.
export interface PodOptions {
  labels?: Record<string, string>;
  ip?: string | string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostNetwork?: boolean;
  phase?: string;
}

export function namespace(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function pod(id: string, opts: PodOptions = {}): object {
  const [ns, name] = id.split('/') as [string, string];
  const ips = opts.ip === undefined ? [] : Array.isArray(opts.ip) ? opts.ip : [opts.ip];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: opts.labels ?? {} },
    spec: {
      ...(opts.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', image: 'example', ...(opts.ports ? { ports: opts.ports } : {}) }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    },
  };
}

export function policy(id: string, spec: Record<string, unknown>): object {
  const [ns, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function adminPolicy(name: string, priority: number, spec: Record<string, unknown>): object {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority, ...spec } };
}

export function baselinePolicy(spec: Record<string, unknown>): object {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec };
}
