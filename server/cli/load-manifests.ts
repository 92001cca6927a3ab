// Reads manifest files and folders (recursively) into a cluster, as `kubectl get -o yaml` or a repo
// of manifests would give them. Unreadable paths become diagnostics; everything else is loaded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster } from '../../shared/kube/load.ts';
import type { SourceObject } from '../../shared/kube/source-object.ts';
import { parseManifestText } from '../../shared/kube/yaml.ts';
import type { Cluster, Diagnostic } from '../../shared/model/types.ts';

const MANIFEST = /\.(ya?ml|json)$/i;

export function manifestFiles(paths: readonly string[], diagnostics: Diagnostic[]): string[] {
  const files: string[] = [];
  const visit = (path: string, explicit: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      diagnostics.push({ severity: 'error', file: path, message: `cannot read: ${(err as Error).message}` });
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (!entry.startsWith('.')) visit(join(path, entry), false);
      }
    } else if (explicit || MANIFEST.test(path)) {
      files.push(path);
    }
  };
  for (const p of paths) visit(p, true);
  return files;
}

/** The raw objects of manifest files and folders; what cannot be read or parsed goes to `diagnostics`. */
export function readManifestObjects(paths: readonly string[], diagnostics: Diagnostic[]): SourceObject[] {
  const objects: SourceObject[] = [];
  for (const file of manifestFiles(paths, diagnostics)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      diagnostics.push({ severity: 'error', file, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseManifestText(text, file);
    objects.push(...parsed.objects);
    diagnostics.push(...parsed.diagnostics);
  }
  return objects;
}

export function loadManifests(paths: readonly string[]): { cluster: Cluster; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const built = buildCluster(readManifestObjects(paths, diagnostics));
  return { cluster: built.cluster, diagnostics: [...diagnostics, ...built.diagnostics] };
}
