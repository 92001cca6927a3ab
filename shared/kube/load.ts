// Raw Kubernetes objects -> the model's Cluster, with diagnostics. Pure: runs in the browser too.
import { compareText as byText } from '../model/order.ts';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cluster, Diagnostic, Namespace, NetworkPolicy, Pod, Workload } from '../model/types.ts';
import { ADMIN_POLICY_GROUP, isAdminPolicyApi, parseAdminNetworkPolicy, parseBaselineAdminNetworkPolicy } from './admin-policy.ts';
import { expandEach } from './expand.ts';
import type { KindedObject } from './expand.ts';
import { WorkloadResolver } from './grouping.ts';
import type { WorkloadRef } from './grouping.ts';
import { Issues, makeDiagnostic } from './issues.ts';
import { describeObject } from './metadata.ts';
import { implicitNamespace, parseNamespace } from './namespace.ts';
import { parsePod } from './pod.ts';
import type { PodObject } from './pod.ts';
import { isKubernetesNetworkPolicy, parseNetworkPolicy } from './policy.ts';
import type { SourceObject } from './source-object.ts';
import { isWorkloadKind, parseWorkload } from './workload.ts';
import type { WorkloadObject } from './workload.ts';

export type { SourceObject } from './source-object.ts';

interface Sourced<T> {
  value: T;
  file?: string;
}


function withSource<T extends { source?: string }>(value: T, file: string | undefined): T {
  if (file !== undefined) value.source = file;
  return value;
}

/**
 * Builds the cluster from raw objects (Lists expanded), read one at a time. Kinds other than Namespace, Pod,
 * NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy and the workload kinds are ignored. An object with any error is left out whole;
 * everything else is still loaded.
 */
export function buildCluster(sources: Iterable<SourceObject>): { cluster: Cluster; diagnostics: Diagnostic[] } {
  // Problems with Lists come first, then those of the objects.
  const listDiagnostics: Diagnostic[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, { file?: string }>();

  const namespaces: Namespace[] = [];
  const podObjects: Sourced<PodObject>[] = [];
  const policies: NetworkPolicy[] = [];
  const adminPolicies: AdminNetworkPolicy[] = [];
  let baselineAdminPolicy: BaselineAdminNetworkPolicy | null = null;
  const workloadObjects: Sourced<WorkloadObject>[] = [];

  /** Validates one object; undefined when it has errors or duplicates an earlier one. */
  const accept = <T>(
    item: KindedObject,
    namespaced: boolean,
    parse: (issues: Issues) => T,
    identity: (value: T) => { namespace: string; name: string },
  ): T | undefined => {
    const label = describeObject(item.kind, item.object, namespaced);
    const issues = new Issues(item.file, label);
    const value = parse(issues);
    diagnostics.push(...issues.diagnostics);
    if (issues.failed) return undefined;
    const { namespace, name } = identity(value);
    const key = `${item.kind}\u0000${namespace}\u0000${name}`;
    const first = seen.get(key);
    if (first) {
      const where = (file: string | undefined): string => (file === undefined ? 'the input' : file);
      diagnostics.push(
        makeDiagnostic(
          'error',
          item.file,
          label,
          undefined,
          `duplicate ${label}: already defined in ${where(first.file)}; this one (in ${where(item.file)}) is ignored`,
        ),
      );
      return undefined;
    }
    seen.set(key, item.file === undefined ? {} : { file: item.file });
    return value;
  };

  for (const item of expandEach(sources, listDiagnostics)) {
    const { kind, object, file } = item;
    if (kind === 'Namespace') {
      const ns = accept(item, false, (i) => parseNamespace(object, i), (n) => ({ namespace: '', name: n.name }));
      if (ns) namespaces.push(ns);
    } else if (kind === 'Pod') {
      const pod = accept(item, true, (i) => parsePod(object, i), (p) => p);
      if (pod) podObjects.push({ value: pod, file });
    } else if (kind === 'NetworkPolicy') {
      if (!isKubernetesNetworkPolicy(object['apiVersion'])) {
        diagnostics.push(
          makeDiagnostic(
            'warning',
            file,
            describeObject(kind, object, true),
            'apiVersion',
            `${String(object['apiVersion'])} is not the Kubernetes NetworkPolicy API (networking.k8s.io): ignored`,
          ),
        );
        continue;
      }
      const policy = accept(item, true, (i) => parseNetworkPolicy(object, i, file), (p) => p);
      if (policy) policies.push(policy);
    } else if (kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy') {
      if (!isAdminPolicyApi(object['apiVersion'])) {
        const api = String(object['apiVersion']);
        diagnostics.push(makeDiagnostic('warning', file, describeObject(kind, object, false), 'apiVersion', `${api} is not the ${ADMIN_POLICY_GROUP} API: ignored`));
        continue;
      }
      const cluster = (p: { name: string }) => ({ namespace: '', name: p.name });
      if (kind === 'AdminNetworkPolicy') {
        const policy = accept(item, false, (i) => parseAdminNetworkPolicy(object, i, file), cluster);
        if (policy) adminPolicies.push(policy);
      } else {
        // Its name is always `default`, so a second one is a duplicate.
        baselineAdminPolicy = accept(item, false, (i) => parseBaselineAdminNetworkPolicy(object, i, file), cluster) ?? baselineAdminPolicy;
      }
    } else if (isWorkloadKind(kind)) {
      const w = accept(item, true, (i) => parseWorkload(kind, object, i), (x) => x);
      if (w) workloadObjects.push({ value: w, file });
    }
    // Everything else (Services, Ingresses, RBAC, ...) is not ours: ignored.
  }

  const resolver = new WorkloadResolver(workloadObjects.map((w) => w.value));
  const workloads = new Map<string, WorkloadRef>();
  const pods: Pod[] = podObjects.map(({ value: p, file }) => {
    const ref = resolver.forPod(p.namespace, p.name, p.owner, p.labels);
    workloads.set(ref.id, ref);
    return withSource<Pod>(
      {
        id: `${p.namespace}/${p.name}`,
        namespace: p.namespace,
        name: p.name,
        labels: p.labels,
        ips: p.ips,
        ports: p.ports,
        workload: ref.id,
        owner: p.owner,
        exclusion: p.exclusion,
        template: false,
      },
      file,
    );
  });
  pods.push(...templatePods(workloadObjects, resolver, workloads, new Set(pods.map((p) => p.id))));

  const allNamespaces = new Map(namespaces.map((n) => [n.name, n]));
  const referenced = [
    ...pods.map((p) => p.namespace),
    ...policies.map((p) => p.namespace),
    ...workloadObjects.map((w) => w.value.namespace),
  ];
  for (const name of referenced) if (!allNamespaces.has(name)) allNamespaces.set(name, implicitNamespace(name));

  const cluster: Cluster = {
    namespaces: [...allNamespaces.values()].sort((a, b) => byText(a.name, b.name)),
    pods: pods.sort((a, b) => byText(a.id, b.id)),
    policies: policies.sort((a, b) => byText(a.id, b.id)),
    workloads: [...workloads.values()]
      .map((w): Workload => ({ id: w.id, namespace: w.namespace, name: w.name, kind: w.kind }))
      .sort((a, b) => byText(a.id, b.id)),
    // Evaluation order; equal priorities are undefined behaviour (a finding), taken by name.
    adminPolicies: adminPolicies.sort((a, b) => a.priority - b.priority || byText(a.name, b.name)),
    baselineAdminPolicy,
  };
  return { cluster, diagnostics: [...listDiagnostics, ...diagnostics] };
}

/**
 * One representative pod per workload that no pod of the input belongs to, made from the pod
 * template. A ReplicaSet of a Deployment (and a Job of a CronJob) counts as that Deployment
 * (CronJob): one pod for all of them, from the Deployment's own template when it is given.
 * Adds the workloads it creates to `workloads`.
 */
function templatePods(
  objects: readonly Sourced<WorkloadObject>[],
  resolver: WorkloadResolver,
  workloads: Map<string, WorkloadRef>,
  podIds: Set<string>,
): Pod[] {
  const groups = new Map<string, { ref: WorkloadRef; members: Sourced<WorkloadObject>[] }>();
  for (const object of objects) {
    const ref = resolver.forObject(object.value);
    if (workloads.has(ref.id)) continue; // real pods exist
    const group = groups.get(ref.id);
    if (group) group.members.push(object);
    else groups.set(ref.id, { ref, members: [object] });
  }
  const result: Pod[] = [];
  for (const id of [...groups.keys()].sort(byText)) {
    const { ref, members } = groups.get(id)!;
    const chosen = members.find((m) => m.value.kind === ref.kind && m.value.name === ref.name) ?? members[0]!;
    const w = chosen.value;
    let name = ref.name;
    for (let n = 1; podIds.has(`${ref.namespace}/${name}`); n++) {
      name = n === 1 ? `${ref.name}-template` : `${ref.name}-template-${n}`;
    }
    const podId = `${ref.namespace}/${name}`;
    podIds.add(podId);
    workloads.set(ref.id, ref);
    result.push(
      withSource<Pod>(
        {
          id: podId,
          namespace: ref.namespace,
          name,
          labels: { ...w.template.labels },
          ips: [],
          ports: w.template.ports,
          workload: ref.id,
          owner: { kind: w.kind, name: w.name },
          exclusion: w.template.hostNetwork ? 'hostNetwork' : null,
          template: true,
        },
        chosen.file,
      ),
    );
  }
  return result;
}
