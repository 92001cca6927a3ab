// The public `traffic-map/diff@1` document: the diff with its two sources, when they were read,
// the options and the input diagnostics of each side.
import type { Group } from '../matrix/matrix.ts';
import type { Diagnostic } from '../model/types.ts';
import type { ConnectivityDiff } from './types.ts';

export const DIFF_SCHEMA = 'traffic-map/diff@1';

export interface DiffSource {
  /** `manifests`: files and folders; `cluster`: a live cluster; `cluster+manifests`: the cluster with the manifests applied. */
  kind: 'manifests' | 'cluster' | 'cluster+manifests';
  /** In words: `manifests test/fixtures/a`, `cluster context "kind" (https://...)`, ... */
  description: string;
  /** The manifest files or folders. */
  paths?: string[];
  /** The cluster: its kubeconfig context and server. */
  cluster?: string;
  /** When the source was read (ISO 8601). */
  at: string;
  diagnostics: Diagnostic[];
}

export interface DiffDocument extends Omit<ConnectivityDiff, 'group'> {
  schema: typeof DIFF_SCHEMA;
  options: { group: Group; ipBlockMatchesPods: boolean };
  before: DiffSource;
  after: DiffSource;
}

export function diffDocument(diff: ConnectivityDiff, before: DiffSource, after: DiffSource, ipBlockMatchesPods: boolean): DiffDocument {
  const { group, ...rest } = diff;
  return { schema: DIFF_SCHEMA, options: { group, ipBlockMatchesPods }, before, after, ...rest };
}
