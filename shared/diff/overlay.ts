// A cluster with manifests applied on top, as `kubectl apply` would leave it: an object of the
// manifests replaces the cluster's object of the same kind, namespace and name, new ones are
// added, and an object the API server would reject (any error) leaves the cluster's object in
// place. Workloads are not listed from clusters, so a workload manifest acts on its running pods:
// they take its pod template's labels and ports (keeping their names, IPs and the labels their
// controller adds), as the rollout it starts would. Pure: the browser's what-if uses it too.
import { buildCluster } from '../kube/load.ts';
import { expandObjects, type KindedObject } from '../kube/expand.ts';
import { isMap } from '../kube/fields.ts';
import { makeDiagnostic } from '../kube/issues.ts';
import { describeObject } from '../kube/metadata.ts';
import type { SourceObject } from '../kube/source-object.ts';
import type { Cluster, Diagnostic, Pod } from '../model/types.ts';

const CLUSTER_SCOPED = new Set(['Namespace', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);

/** Labels a controller puts on the pods it creates (not in the template): they survive a rollout. */
const CONTROLLER_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'job-name',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
];

export interface Overlay {
  cluster: Cluster;
  /** About the manifests (and the cluster's own objects, which rarely have any). */
  diagnostics: Diagnostic[];
  /** `Kind namespace/name` of the cluster objects the manifests replaced, and of those they added. */
  replaced: string[];
  added: string[];
  /** Workloads whose running pods took the manifest's pod template. */
  rolledOut: string[];
}

function identity(item: KindedObject): { key: string; label: string } {
  const namespaced = !CLUSTER_SCOPED.has(item.kind);
  const label = describeObject(item.kind, item.object, namespaced);
  return { key: `${item.kind}\u0000${label}`, label };
}

export function applyManifests(live: readonly SourceObject[], manifests: readonly SourceObject[]): Overlay {
  const diagnostics: Diagnostic[] = [];
  const cluster = expandObjects(live);
  const changes = expandObjects(manifests);
  diagnostics.push(...cluster.diagnostics, ...changes.diagnostics);

  const objects = new Map<string, SourceObject>();
  for (const item of cluster.objects) objects.set(identity(item).key, { object: item.object });
  const replaced: string[] = [];
  const added: string[] = [];
  const fromManifests = new Map<string, string | undefined>();
  const accepted: SourceObject[] = [];
  for (const item of changes.objects) {
    const { key, label } = identity(item);
    // Alone, an object shows the errors the API server would reject it for.
    const alone = buildCluster([{ ...(item.file === undefined ? {} : { file: item.file }), object: item.object }]);
    diagnostics.push(...alone.diagnostics);
    if (alone.diagnostics.some((d) => d.severity === 'error')) continue;
    if (fromManifests.has(key)) {
      const first = fromManifests.get(key);
      diagnostics.push(makeDiagnostic('error', item.file, label, undefined, `duplicate ${label}: already defined in ${first ?? 'the input'}; this one is ignored`));
      continue;
    }
    fromManifests.set(key, item.file);
    (objects.has(key) ? replaced : added).push(label);
    const source: SourceObject = item.file === undefined ? { object: item.object } : { file: item.file, object: item.object };
    objects.set(key, source);
    accepted.push(source);
  }

  const built = buildCluster([...objects.values()]);
  // The manifests' own diagnostics were collected above, object by object.
  const seen = new Set(diagnostics.map((d) => JSON.stringify(d)));
  for (const d of built.diagnostics) if (!seen.has(JSON.stringify(d))) diagnostics.push(d);

  // The pod templates of the workload manifests, by workload id (a template pod per workload when built alone).
  const templates = new Map<string, Pod>();
  for (const pod of buildCluster(accepted).cluster.pods) if (pod.template) templates.set(pod.workload, pod);
  const manifestPods = new Set(accepted.flatMap((s) => (isMap(s.object) && s.object['kind'] === 'Pod' ? [podId(s.object)] : [])));
  const rolledOut = new Set<string>();
  const pods = built.cluster.pods.map((pod): Pod => {
    const template = templates.get(pod.workload);
    if (!template || pod.template || manifestPods.has(pod.id)) return pod;
    rolledOut.add(pod.workload);
    const kept = Object.fromEntries(Object.entries(pod.labels).filter(([k]) => CONTROLLER_LABELS.includes(k)));
    const exclusion: Pod['exclusion'] = template.exclusion === 'hostNetwork' ? 'hostNetwork' : pod.exclusion === 'hostNetwork' ? null : pod.exclusion;
    return { ...pod, labels: { ...kept, ...template.labels }, ports: template.ports, exclusion };
  });
  return {
    cluster: { ...built.cluster, pods },
    diagnostics,
    replaced,
    added,
    rolledOut: [...rolledOut].sort(),
  };
}

/** `namespace/name` of a raw pod, as the loader names it. */
function podId(object: Record<string, unknown>): string {
  const meta = isMap(object['metadata']) ? object['metadata'] : {};
  const namespace = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default';
  return `${namespace}/${String(meta['name'])}`;
}
