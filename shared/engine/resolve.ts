// Turns what a user types (`ns/pod`, `ns/workload`, `ns/name[Kind]`, an IP address) into endpoints.
import { canonicalIp } from '../model/ip.ts';
import type { Analysis, EndpointRef } from './analysis.ts';

export interface ResolvedEndpoints {
  /** What the reference turned out to be, for messages. */
  label: string;
  endpoints: EndpointRef[];
}

export function resolveEndpoints(a: Analysis, ref: string, role: 'source' | 'destination'): ResolvedEndpoints | { error: string } {
  const ip = canonicalIp(ref);
  if (ip !== null) {
    const pod = a.pods.findIndex((p) => p.ips.includes(ip));
    if (pod >= 0) return { label: `pod ${a.pods[pod]!.id} (${ip})`, endpoints: [{ kind: 'pod', index: pod }] };
    const ext = a.externalIndex(ip, role);
    if (ext < 0) return { error: `${ref}: no external range holds this address` };
    return { label: `${ip} (outside the cluster, range ${a.externals[ext]!.text})`, endpoints: [{ kind: 'external', index: ext }] };
  }
  const podIndex = a.podIndex(ref);
  if (podIndex >= 0) return { label: `pod ${ref}`, endpoints: [{ kind: 'pod', index: podIndex }] };
  const workloadPods = (match: (workload: string) => boolean) =>
    a.pods.flatMap((p, index) => (match(p.workload) ? [{ kind: 'pod' as const, index }] : []));
  let pods = workloadPods((w) => w === ref);
  if (pods.length === 0) pods = workloadPods((w) => w.slice(0, w.lastIndexOf('[')) === ref);
  if (pods.length > 0) {
    const workloads = [...new Set(pods.map((e) => a.pods[e.index]!.workload))];
    if (workloads.length > 1) return { error: `${ref} is ambiguous: ${workloads.join(', ')}` };
    return { label: `workload ${workloads[0]} (${pods.length} pods)`, endpoints: pods };
  }
  const excluded = a.excludedPods.find((p) => p.id === ref || p.workload === ref);
  if (excluded) return { error: `${ref} is not in the matrix: ${excluded.exclusion === 'hostNetwork' ? 'it uses the host network, which NetworkPolicy does not govern' : `the pod has ${excluded.exclusion}`}` };
  return { error: `${ref}: no such pod, workload or IP address` };
}
