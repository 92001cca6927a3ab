// Renders a kustomization the way users will (`kubectl kustomize DIR`, offline) and parses it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-schema.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** `kubectl kustomize DIR` (DIR relative to the repository) as YAML text. */
export function kustomize(dir: string): string {
  try {
    return execFileSync('kubectl', ['kustomize', dir], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: the deploy tests render the manifests with `kubectl kustomize`', { cause: err });
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** The objects of a multi-document YAML text; a YAML error is thrown, naming `source`. */
export function parseObjects(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}, document ${i + 1}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    return value === null ? [] : [value as KubeObject];
  });
}

export function render(dir: string): KubeObject[] {
  return parseObjects(kustomize(dir), `kubectl kustomize ${dir}`);
}

/** The one object of this kind and name; throws naming what is missing or repeated. */
export function find(objects: KubeObject[], kind: string, name: string, namespace?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ? `${namespace}/` : ''}${name}, found ${found.length}`);
  return found[0]!;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** A role's rules as sorted `group/resource:verb` grants, so that two ways of writing one grant compare equal. */
export function grants(role: KubeObject): string[] {
  const rules = (role['rules'] ?? []) as PolicyRule[];
  const out = new Set<string>();
  for (const [i, r] of rules.entries()) {
    if (r.resourceNames || r.nonResourceURLs) throw new Error(`${role.kind} ${role.metadata.name} rules[${i}]: resourceNames / nonResourceURLs are not expected`);
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs) out.add(`${g === '' ? 'core' : g}/${res}:${v}`);
  }
  return [...out].sort();
}
