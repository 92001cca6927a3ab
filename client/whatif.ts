// What-if: a draft (policies pasted or uploaded as YAML or JSON, and policies marked deleted) put
// on top of the live cluster's objects, analyzed with the shared engine and diffed against the
// cluster as it is. Nothing is sent anywhere: the draft stays in the browser.
//
// The server hands the cluster as the engine's model objects (`whatif:objects`), each built from
// one API object by the loader. A draft object is built the same way, alone, and replaces the
// model object of the same kind and name, as the live server would fold it in after an apply; an
// object with an error is left out (the cluster's one stays), as the API server would reject it.
// Pure (no Vue, no DOM): runs in the Web Worker, on the page, and in node tests.
import { parseAllDocuments, stringify } from 'yaml';
import { diffAnalyses } from '../shared/diff/diff.ts';
import type { ConnectivityDiff } from '../shared/diff/types.ts';
import { analyze, type EngineAnalysis } from '../shared/engine/engine.ts';
import { expandObjects } from '../shared/kube/expand.ts';
import { makeDiagnostic } from '../shared/kube/issues.ts';
import { buildCluster } from '../shared/kube/load.ts';
import { describeObject } from '../shared/kube/metadata.ts';
import { implicitNamespace } from '../shared/kube/namespace.ts';
import { isWorkloadKind } from '../shared/kube/workload.ts';
import { parseManifestText } from '../shared/kube/yaml.ts';
import type { Group } from '../shared/matrix/matrix.ts';
import { compareText } from '../shared/model/order.ts';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cluster, Diagnostic, Namespace, NetworkPolicy, Pod, Workload } from '../shared/model/types.ts';
import type { WhatIfObjects } from '../shared/protocol/events.ts';

/** What the what-if takes: policies of every tier, and the namespaces and pods they select by label. */
export const DRAFT_KINDS = ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'Namespace', 'Pod'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);

/** One pasted text or uploaded file. */
export interface DraftInput {
  /** `pasted YAML`, or the file's name. */
  name: string;
  text: string;
}

/** One object of the draft, of a kind the what-if takes. */
export interface DraftObject {
  kind: DraftKind;
  /** `NetworkPolicy staging/deny-all`, as diagnostics name objects. */
  label: string;
  /** `pasted YAML, document 2`: where it was read (diagnostics about it name this as their file). */
  where: string;
  object: Record<string, unknown>;
}

/** The document number (1-based) of each object parseManifestText returns for this text, in order. */
function documentNumbers(text: string): number[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // The same choices as parseManifestText: plain JSON first, then every YAML document that parses to something.
  if (/^\s*[{[]/.test(source)) {
    try {
      return JSON.parse(source) === null ? [] : [1];
    } catch {
      // YAML after all
    }
  }
  const numbers: number[] = [];
  parseAllDocuments(source).forEach((doc, i) => {
    if (doc.errors.length > 0) return;
    try {
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) numbers.push(i + 1);
    } catch {
      // reported by parseManifestText
    }
  });
  return numbers;
}

/**
 * The draft's objects. YAML errors, and objects of other kinds, become error diagnostics naming
 * the input and document; everything else is kept (checked later, object by object).
 */
export function readDraft(inputs: readonly DraftInput[]): { objects: DraftObject[]; rejected: number; diagnostics: Diagnostic[] } {
  const objects: DraftObject[] = [];
  const diagnostics: Diagnostic[] = [];
  let rejected = 0;
  for (const input of inputs) {
    if (input.text.trim() === '') continue;
    const parsed = parseManifestText(input.text, input.name);
    diagnostics.push(...parsed.diagnostics);
    const numbers = documentNumbers(input.text);
    parsed.objects.forEach((source, i) => {
      // Should the two readings ever disagree, the input's name alone still says where.
      const n = numbers.length === parsed.objects.length ? numbers[i] : undefined;
      const where = n === undefined ? input.name : `${input.name}, document ${n}`;
      const expanded = expandObjects([{ file: where, object: source.object }]);
      diagnostics.push(...expanded.diagnostics);
      for (const item of expanded.objects) {
        const label = describeObject(item.kind, item.object, !CLUSTER_SCOPED.has(item.kind));
        if ((DRAFT_KINDS as readonly string[]).includes(item.kind)) {
          objects.push({ kind: item.kind as DraftKind, label, where: item.file ?? where, object: item.object });
        } else {
          diagnostics.push(makeDiagnostic('error', item.file, label, 'kind', rejection(item.kind)));
          rejected++;
        }
      }
    });
  }
  return { objects, rejected, diagnostics };
}

function rejection(kind: string): string {
  const takes = `the what-if takes ${DRAFT_KINDS.join(', ')}`;
  if (kind === 'Secret') return `Secrets are never read: left out of the preview and of the downloaded draft (${takes})`;
  if (isWorkloadKind(kind)) return `workloads are not previewed here (their rollout relabels running pods: \`traffic-map diff --cluster\` previews it); left out (${takes})`;
  return `${kind} is not previewed: left out (${takes})`;
}

export interface DraftOverlay {
  /** The cluster with the draft applied and the deleted policies removed. */
  cluster: Cluster;
  diagnostics: Diagnostic[];
  /** The draft objects previewed (those without errors), in draft order. */
  applied: DraftObject[];
  /** Labels (`NetworkPolicy ns/name`) of the cluster objects the draft replaced, and of those it added. */
  replaced: string[];
  added: string[];
  /** Policy ids (as `policy:list` names them) removed. */
  deleted: string[];
}

type AdminPolicy = AdminNetworkPolicy | BaselineAdminNetworkPolicy;
/** `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/default`, as `policy:list` names them. */
const adminId = (p: AdminPolicy) => `${p.kind}/${p.name}`;

interface DraftEntry {
  /** `Namespace/<name>`, `Pod/<ns>/<name>`, or the policy id as `policy:list` names it. */
  key: string;
  namespace?: Namespace;
  pod?: Pod;
  workload?: Workload;
  policy?: NetworkPolicy;
  admin?: AdminPolicy;
}

/** The model object one draft object built into (alone), or null when the loader left it out. */
function draftEntry(kind: DraftKind, c: Cluster): DraftEntry | null {
  if (kind === 'Namespace') {
    const namespace = c.namespaces[0];
    return namespace ? { key: `Namespace/${namespace.name}`, namespace } : null;
  }
  if (kind === 'Pod') {
    const pod = c.pods[0];
    if (!pod) return null;
    const workload = c.workloads.find((w) => w.id === pod.workload);
    return { key: `Pod/${pod.id}`, pod, ...(workload ? { workload } : {}) };
  }
  if (kind === 'NetworkPolicy') {
    const policy = c.policies[0];
    return policy ? { key: policy.id, policy } : null;
  }
  const policy = kind === 'AdminNetworkPolicy' ? c.adminPolicies[0] : c.baselineAdminPolicy;
  return policy ? { key: adminId(policy), admin: policy } : null;
}

/**
 * The live cluster with the deleted policies removed, then the draft applied. `deleted` holds
 * policy ids as `policy:list` names them: `namespace/name`, `AdminNetworkPolicy/<name>`,
 * `BaselineAdminNetworkPolicy/default`.
 */
export function applyDraft(live: Cluster, draft: readonly DraftObject[], deleted: readonly string[]): DraftOverlay {
  const diagnostics: Diagnostic[] = [];
  const namespaces = new Map(live.namespaces.map((n) => [n.name, n]));
  const pods = new Map(live.pods.map((p) => [p.id, p]));
  const policies = new Map(live.policies.map((p) => [p.id, p]));
  const admin = new Map<string, AdminPolicy>(live.adminPolicies.map((p) => [adminId(p), p]));
  if (live.baselineAdminPolicy) admin.set(adminId(live.baselineAdminPolicy), live.baselineAdminPolicy);
  const workloads = new Map(live.workloads.map((w) => [w.id, w]));

  const removed: string[] = [];
  for (const id of deleted) {
    if (policies.delete(id) || admin.delete(id)) removed.push(id);
    else diagnostics.push(makeDiagnostic('warning', undefined, undefined, undefined, `${id} is marked deleted but is no longer in the cluster: nothing to delete`));
  }

  // What the cluster holds, by the keys below: replacing one of them is not adding.
  const liveKeys = new Set([
    ...live.namespaces.map((n) => `Namespace/${n.name}`),
    ...live.pods.map((p) => `Pod/${p.id}`),
    ...live.policies.map((p) => p.id),
    ...[...live.adminPolicies, ...(live.baselineAdminPolicy ? [live.baselineAdminPolicy] : [])].map(adminId),
  ]);
  const applied: DraftObject[] = [];
  const replaced: string[] = [];
  const added: string[] = [];
  const firstSeen = new Map<string, string>();
  for (const item of draft) {
    // Alone, as the live server builds each object it hears of: the errors the API server would reject it for.
    const built = buildCluster([{ file: item.where, object: item.object }]);
    diagnostics.push(...built.diagnostics);
    if (built.diagnostics.some((d) => d.severity === 'error')) continue;
    const entry = draftEntry(item.kind, built.cluster);
    // Not loaded without an error (another API group): the loader's warning says why.
    if (!entry) continue;
    const first = firstSeen.get(entry.key);
    if (first !== undefined) {
      diagnostics.push(makeDiagnostic('error', item.where, item.label, undefined, `duplicate ${item.label}: already in ${first}; this one is ignored`));
      continue;
    }
    firstSeen.set(entry.key, item.where);
    if (removed.includes(entry.key)) {
      diagnostics.push(makeDiagnostic('warning', item.where, item.label, undefined, `${entry.key} is marked deleted and is in the draft: the draft's version is previewed`));
    }
    (liveKeys.has(entry.key) ? replaced : added).push(item.label);
    if (entry.namespace) namespaces.set(entry.namespace.name, entry.namespace);
    if (entry.pod) {
      pods.set(entry.pod.id, entry.pod);
      if (entry.workload && !workloads.has(entry.workload.id)) workloads.set(entry.workload.id, entry.workload);
    }
    if (entry.policy) policies.set(entry.policy.id, entry.policy);
    if (entry.admin) admin.set(entry.key, entry.admin);
    applied.push(item);
  }

  const podList = [...pods.values()].sort((a, b) => compareText(a.id, b.id));
  const policyList = [...policies.values()].sort((a, b) => compareText(a.id, b.id));
  // Every pod's and policy's namespace exists (the Cluster invariant), as the loader adds them.
  for (const ns of [...podList.map((p) => p.namespace), ...policyList.map((p) => p.namespace)]) {
    if (!namespaces.has(ns)) namespaces.set(ns, implicitNamespace(ns));
  }
  const used = new Set(podList.map((p) => p.workload));
  const admins = [...admin.values()];
  const cluster: Cluster = {
    namespaces: [...namespaces.values()].sort((a, b) => compareText(a.name, b.name)),
    pods: podList,
    policies: policyList,
    workloads: [...workloads.values()].filter((w) => used.has(w.id)).sort((a, b) => compareText(a.id, b.id)),
    // Evaluation order, as the loader sorts them.
    adminPolicies: admins.filter((p): p is AdminNetworkPolicy => p.kind === 'AdminNetworkPolicy').sort((a, b) => a.priority - b.priority || compareText(a.name, b.name)),
    baselineAdminPolicy: admins.find((p): p is BaselineAdminNetworkPolicy => p.kind === 'BaselineAdminNetworkPolicy') ?? null,
  };
  return { cluster, diagnostics, applied, replaced, added, deleted: removed };
}

/** What a preview is asked: the live objects, the draft, the deletions, the level to compare at. */
export interface WhatIfRequest {
  live: WhatIfObjects;
  inputs: DraftInput[];
  deleted: string[];
  group: Group;
}

export interface WhatIfPreview {
  /** The live state the preview was computed against. */
  seq: number;
  at: string;
  source: string;
  unknown: WhatIfObjects['unknown'];
  group: Group;
  diff: ConnectivityDiff;
  /** About the draft: YAML errors, rejected kinds, loader errors and warnings naming document, object and field. */
  diagnostics: Diagnostic[];
  /** Draft objects previewed, and those left out (errors, other kinds, duplicates). */
  applied: number;
  leftOut: number;
  replaced: string[];
  added: string[];
  deleted: string[];
  /** The previewed draft as a YAML stream, ready to download. */
  yaml: string;
}

/**
 * Previews, keeping the two analyses of the last request: a preview at another level, or of
 * another draft against the same state, analyzes only what changed.
 */
export class WhatIfSession {
  private before: { key: string; analysis: EngineAnalysis } | null = null;
  private after: { key: string; analysis: EngineAnalysis; overlay: DraftOverlay; read: ReturnType<typeof readDraft> } | null = null;

  run(req: WhatIfRequest): WhatIfPreview {
    const { live } = req;
    const liveKey = JSON.stringify([live.source, live.seq, live.at, live.options]);
    if (this.before?.key !== liveKey) this.before = { key: liveKey, analysis: analyze(live.objects, live.options) };
    const draftKey = JSON.stringify([liveKey, req.inputs, [...req.deleted].sort()]);
    if (this.after?.key !== draftKey) {
      const read = readDraft(req.inputs);
      const overlay = applyDraft(live.objects, read.objects, req.deleted);
      this.after = { key: draftKey, analysis: analyze(overlay.cluster, live.options), overlay, read };
    }
    const { overlay, read } = this.after;
    const diff = diffAnalyses(this.before.analysis, this.after.analysis, { group: req.group });
    return {
      seq: live.seq,
      at: live.at,
      source: live.source,
      unknown: live.unknown,
      group: req.group,
      diff,
      diagnostics: [...read.diagnostics, ...overlay.diagnostics],
      applied: overlay.applied.length,
      leftOut: read.objects.length + read.rejected - overlay.applied.length,
      replaced: overlay.replaced,
      added: overlay.added,
      deleted: overlay.deleted,
      yaml: draftYaml(overlay.applied, overlay.deleted, { source: live.source, at: live.at, seq: live.seq }),
    };
  }
}

/** `kubectl delete ...` for a policy id as `policy:list` names it. */
export function deleteCommand(id: string): string {
  const slash = id.indexOf('/');
  const head = id.slice(0, slash);
  const name = id.slice(slash + 1);
  if (head === 'AdminNetworkPolicy') return `kubectl delete adminnetworkpolicy ${name}`;
  if (head === 'BaselineAdminNetworkPolicy') return `kubectl delete baselineadminnetworkpolicy ${name}`;
  return `kubectl delete networkpolicy -n ${head} ${name}`;
}

/**
 * The draft as a YAML stream: a header saying what it was previewed against, the deletions as
 * comments (with the kubectl commands), then each previewed object with where it came from.
 */
export function draftYaml(objects: readonly DraftObject[], deleted: readonly string[], against: { source: string; at: string; seq: number }): string {
  const lines = [
    '# Traffic Map what-if draft: nothing here was applied to the cluster.',
    `# Previewed against ${against.source}, as of ${against.at} (seq ${against.seq}).`,
  ];
  if (deleted.length > 0) {
    lines.push('#', '# Policies to delete:');
    for (const id of deleted) lines.push(`#   ${deleteCommand(id)}`);
  }
  if (objects.length === 0) lines.push('#', '# No object to apply.');
  const docs = objects.map((o) => `# From ${o.where}: ${o.label}\n${stringify(o.object).trimEnd()}`);
  return [lines.join('\n'), ...docs].join('\n---\n') + '\n';
}
