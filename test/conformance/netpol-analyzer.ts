// Helpers for the netpol-analyzer conformance test: loads a corpus case, runs our engine, and writes
// our answer in that analyzer's connlist line format (see ../shared/conformance/netpol-analyzer/FORMAT.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadManifests } from '../../server/cli/load-manifests.ts';
import type { Analysis, EndpointRef } from '../../shared/engine/analysis.ts';
import { analyze } from '../../shared/engine/engine.ts';
import type { PortSet } from '../../shared/model/port-set.ts';
import type { Diagnostic, Pod, Protocol } from '../../shared/model/types.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Read-only data beside the project (CI has it there); never copied into the project. */
export const CORPUS_DIR = resolve(PROJECT_ROOT, '../shared/conformance/netpol-analyzer');

export interface CorpusCase {
  case: string;
  kinds: string[];
  category: string;
  pods: number;
}

export function readCases(category: string): CorpusCase[] {
  const all = JSON.parse(readFileSync(join(CORPUS_DIR, 'cases.json'), 'utf8')) as CorpusCase[];
  return all.filter((c) => c.category === category);
}

/** Their endpoint name for one of our pods (FORMAT.md "Endpoint names"). */
export function endpointName(pod: Pod): string {
  const { owner } = pod;
  if (owner === null) return `${pod.namespace}/${pod.name}[Pod]`;
  if (owner.kind === '') return `${pod.namespace}/${owner.name}[Pod]`;
  return `${pod.namespace}/${owner.name}[${owner.kind}]`;
}

/** FORMAT.md "Connection strings": `All Connections`, or `SCTP ..,TCP ..,UDP ..`. */
const THEIR_PROTOCOL_ORDER: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];

export function connectionString(ports: PortSet): string {
  if (ports.isAll()) return 'All Connections';
  const items = new Map<Protocol, string[]>();
  for (const r of ports.ranges()) {
    const list = items.get(r.protocol) ?? [];
    list.push(r.port === r.endPort ? `${r.port}` : `${r.port}-${r.endPort}`);
    items.set(r.protocol, list);
  }
  return THEIR_PROTOCOL_ORDER.filter((p) => items.has(p))
    .map((p) => `${p} ${items.get(p)!.join(',')}`)
    .join(',');
}

/** Plain byte order (all corpus text is ASCII, where UTF-16 order is byte order). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A connection between two endpoints whose pods do not all get the same answer. */
export interface EndpointConflict {
  from: string;
  to: string;
  answers: string[];
}

export interface OurLines {
  lines: string[];
  /** Every endpoint name among participating pods. */
  endpoints: Set<string>;
  /** Endpoint names made only of excluded pods (host network, finished): rules 21-22. */
  excludedEndpoints: Map<string, string[]>;
  /** Endpoints with both excluded and participating pods (the analyzer evaluates one pod of them). */
  mixedEndpoints: string[];
  conflicts: EndpointConflict[];
}

/** Our answer in their line format: pod endpoints pairwise, and endpoints against external ranges. */
export function ourLines(a: Analysis): OurLines {
  const podsOf = new Map<string, number[]>();
  a.pods.forEach((pod, index) => {
    const name = endpointName(pod);
    const list = podsOf.get(name) ?? [];
    list.push(index);
    podsOf.set(name, list);
  });
  const excludedEndpoints = new Map<string, string[]>();
  const mixed = new Set<string>();
  for (const pod of a.excludedPods) {
    const name = endpointName(pod);
    if (podsOf.has(name)) {
      mixed.add(name);
      continue;
    }
    const reasons = excludedEndpoints.get(name) ?? [];
    if (!reasons.includes(String(pod.exclusion))) reasons.push(String(pod.exclusion));
    excludedEndpoints.set(name, reasons);
  }

  const lines: string[] = [];
  const conflicts: EndpointConflict[] = [];
  /** The union over all pod pairs; a conflict when the pods disagree. */
  const emit = (fromName: string, toName: string, pairs: [EndpointRef, EndpointRef][]) => {
    const answers = new Map<string, PortSet>();
    for (const [from, to] of pairs) {
      const ports = a.allowed(from, to);
      answers.set(ports.key(), ports);
    }
    let union: PortSet | undefined;
    for (const ports of answers.values()) union = union === undefined ? ports : union.union(ports);
    if (answers.size > 1) conflicts.push({ from: fromName, to: toName, answers: [...answers.keys()].sort(byteOrder) });
    if (union !== undefined && !union.isEmpty()) lines.push(`${fromName} => ${toName} : ${connectionString(union)}`);
  };
  const pod = (index: number): EndpointRef => ({ kind: 'pod', index });
  const external = (index: number): EndpointRef => ({ kind: 'external', index });

  const names = [...podsOf.keys()].sort(byteOrder);
  for (const fromName of names) {
    const fromPods = podsOf.get(fromName)!;
    for (const toName of names) {
      if (toName === fromName) continue; // never listed: traffic inside one endpoint
      const toPods = podsOf.get(toName)!;
      emit(fromName, toName, fromPods.flatMap((f) => toPods.map((t): [EndpointRef, EndpointRef] => [pod(f), pod(t)])));
    }
  }
  a.externals.forEach((e, x) => {
    if (e.range.family !== 4) return; // the analyzer lists only IPv4 ranges
    const rangeName = `${e.text}[External]`;
    for (const name of names) {
      const pods = podsOf.get(name)!;
      if (e.asSource) emit(rangeName, name, pods.map((p): [EndpointRef, EndpointRef] => [external(x), pod(p)]));
      if (e.asDestination) emit(name, rangeName, pods.map((p): [EndpointRef, EndpointRef] => [pod(p), external(x)]));
    }
  });
  lines.sort(byteOrder);
  return { lines, endpoints: new Set(names), excludedEndpoints, mixedEndpoints: [...mixed].sort(byteOrder), conflicts };
}

// --- An independent reading of the inputs' endpoint names, to check the loader's `owner` ----------

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

type Raw = Record<string, unknown>;

function isMap(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...manifestFiles(path));
    else if (/\.(ya?ml|json)$/i.test(entry)) out.push(path);
  }
  return out;
}

export interface ManifestEndpoints {
  /** Every endpoint name FORMAT.md implies for the Pods and workload objects. */
  names: Set<string>;
  /**
   * Endpoints all of whose pods our semantics leave out (rules 21-22): `hostNetwork: true`, or
   * phase Succeeded/Failed.
   */
  excluded: Set<string>;
}

/**
 * Endpoint names and left-out endpoints of an input folder, read straight from the manifests (not
 * through shared/kube), to check the loader's `owner` and `exclusion`.
 */
export function endpointsFromManifests(inputDir: string): ManifestEndpoints {
  const included = new Set<string>();
  const left = new Set<string>();
  const visit = (value: unknown, inheritedKind: string): void => {
    if (!isMap(value)) return;
    const kind = typeof value['kind'] === 'string' && value['kind'] !== '' ? value['kind'] : inheritedKind;
    if (kind.endsWith('List')) {
      const items = value['items'];
      if (Array.isArray(items)) for (const item of items) visit(item, kind === 'List' ? '' : kind.slice(0, -4));
      return;
    }
    const meta = isMap(value['metadata']) ? value['metadata'] : {};
    const name = String(meta['name'] ?? '');
    const namespace = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default';
    const spec = isMap(value['spec']) ? value['spec'] : {};
    if (WORKLOAD_KINDS.has(kind)) {
      const jobSpec = kind === 'CronJob' && isMap(spec['jobTemplate']) ? spec['jobTemplate']['spec'] : spec;
      const template = isMap(jobSpec) && isMap(jobSpec['template']) ? jobSpec['template'] : {};
      const podSpec = isMap(template['spec']) ? template['spec'] : {};
      (podSpec['hostNetwork'] === true ? left : included).add(`${namespace}/${name}[${kind}]`);
    } else if (kind === 'Pod') {
      const refs = Array.isArray(meta['ownerReferences']) ? meta['ownerReferences'] : [];
      const controller = refs.find((r): r is Raw => isMap(r) && r['controller'] === true);
      const ownerKind = controller && typeof controller['kind'] === 'string' ? controller['kind'] : '';
      const endpoint =
        !controller || ownerKind === 'Node'
          ? `${namespace}/${name}[Pod]`
          : `${namespace}/${String(controller['name'])}[${ownerKind === '' ? 'Pod' : ownerKind}]`;
      const status = isMap(value['status']) ? value['status'] : {};
      const out = spec['hostNetwork'] === true || status['phase'] === 'Succeeded' || status['phase'] === 'Failed';
      (out ? left : included).add(endpoint);
    }
  };
  for (const file of manifestFiles(inputDir)) {
    const text = readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) visit(doc.toJS(), '');
  }
  return {
    names: new Set([...included, ...left]),
    excluded: new Set([...left].filter((n) => !included.has(n))),
  };
}

// --- One case end to end ----------------------------------------------------------------------------

export interface CaseResult {
  name: string;
  /** Lines of expected.txt. */
  expected: string[];
  ours: string[];
  /** Expected lines left out because an endpoint is made only of excluded pods (rules 21-22). */
  skipped: string[];
  /** Expected lines compared (expected minus skipped). */
  compared: number;
  excludedEndpoints: Map<string, string[]>;
  mixedEndpoints: string[];
  /** Expected (not skipped) lines we do not produce. */
  missing: string[];
  /** Lines we produce that are not expected. */
  extra: string[];
  conflicts: EndpointConflict[];
  /**
   * Where the loader (endpoint names via `owner`, left-out endpoints via `exclusion`) and the
   * manifests read directly disagree.
   */
  naming: { onlyLoader: string[]; onlyManifests: string[]; excludedOnlyLoader: string[]; excludedOnlyManifests: string[] };
  /** Workload endpoints of expected.txt that we do not know at all. */
  unknownExpectedEndpoints: string[];
  errors: Diagnostic[];
}

function endpointsOfLine(line: string): [string, string] {
  const arrow = line.indexOf(' => ');
  const colon = line.indexOf(' : ', arrow);
  return [line.slice(0, arrow), line.slice(arrow + 4, colon)];
}

export function runCase(name: string): CaseResult {
  const caseDir = join(CORPUS_DIR, 'cases', name);
  const inputDir = join(caseDir, 'input');
  const { cluster, diagnostics } = loadManifests([inputDir]);
  const a = analyze(cluster, { ipBlockMatchesPods: false });
  const ours = ourLines(a);

  const expectedText = readFileSync(join(caseDir, 'expected.txt'), 'utf8');
  const expected = expectedText.split('\n').filter((l) => l !== '');
  const skipped: string[] = [];
  const compared: string[] = [];
  for (const line of expected) {
    const [from, to] = endpointsOfLine(line);
    if (ours.excludedEndpoints.has(from) || ours.excludedEndpoints.has(to)) skipped.push(line);
    else compared.push(line);
  }
  const ourSet = new Set(ours.lines);
  const expectedSet = new Set(expected);
  const missing = compared.filter((l) => !ourSet.has(l));
  const extra = ours.lines.filter((l) => !expectedSet.has(l));

  const loaderNames = new Set([...a.pods, ...a.excludedPods].map(endpointName));
  const manifest = endpointsFromManifests(inputDir);
  const manifestNames = manifest.names;
  const excludedNames = new Set(ours.excludedEndpoints.keys());
  const known = new Set([...loaderNames, ...manifestNames]);
  const unknown = new Set<string>();
  for (const line of expected) for (const e of endpointsOfLine(line)) if (!e.endsWith('[External]') && !known.has(e)) unknown.add(e);

  return {
    name,
    expected,
    ours: ours.lines,
    skipped,
    compared: compared.length,
    excludedEndpoints: ours.excludedEndpoints,
    mixedEndpoints: ours.mixedEndpoints,
    missing,
    extra,
    conflicts: ours.conflicts,
    naming: {
      onlyLoader: [...loaderNames].filter((n) => !manifestNames.has(n)).sort(byteOrder),
      onlyManifests: [...manifestNames].filter((n) => !loaderNames.has(n)).sort(byteOrder),
      excludedOnlyLoader: [...excludedNames].filter((n) => !manifest.excluded.has(n)).sort(byteOrder),
      excludedOnlyManifests: [...manifest.excluded].filter((n) => !excludedNames.has(n)).sort(byteOrder),
    },
    unknownExpectedEndpoints: [...unknown].sort(byteOrder),
    errors: diagnostics.filter((d) => d.severity === 'error'),
  };
}

const cache = new Map<string, CaseResult>();

/** Each case is computed once per test file, whichever test asks first. */
export function caseResult(name: string): CaseResult {
  let result = cache.get(name);
  if (!result) {
    result = runCase(name);
    cache.set(name, result);
  }
  return result;
}
