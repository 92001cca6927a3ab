// `traffic-map diff A B`: what changes between two folders of manifests; `traffic-map diff --cluster B`:
// what applying the manifests B to the live cluster would change. Text, CSV or the
// `traffic-map/diff@1` JSON; `--fail-on` makes it a CI gate.
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, Observable } from '@kubernetes/client-node';
import type { KubeConfig, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import { diffDocument, type DiffSource } from '../../shared/diff/document.ts';
import { applyManifests } from '../../shared/diff/overlay.ts';
import { renderDiffCsv, renderDiffText } from '../../shared/diff/render.ts';
import type { ConnectivityDiff } from '../../shared/diff/types.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { SourceObject } from '../../shared/kube/source-object.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import type { Cluster, Diagnostic } from '../../shared/model/types.ts';
import { resolveKubeConfig } from '../cluster/kubeconfig.ts';
import { normalizeObject } from '../cluster/normalize.ts';
import { describeError } from '../cluster/resource-watcher.ts';
import { EXIT, formatDiagnostic, parseBooleanFlag, type Output } from './common.ts';
import { readManifestObjects } from './load-manifests.ts';

/** What makes `--fail-on` fail: ports gained by some connection, pods newly unprotected, or any change at all. */
export type FailOn = 'gained' | 'unprotected' | 'any';
const FAIL_ON: readonly FailOn[] = ['gained', 'unprotected', 'any'];

export interface DiffCommandOptions {
  group: Group;
  output: 'text' | 'json' | 'csv';
  failOn: FailOn[];
  ipblockMatchesPods: boolean;
  cluster: boolean;
  kubeconfig?: string;
  context?: string;
  /** Give up on a cluster list after this long. */
  timeoutMs?: number;
}

interface Side {
  cluster: Cluster;
  source: DiffSource;
}

function manifestsSide(paths: string[]): Side {
  const diagnostics: Diagnostic[] = [];
  const at = new Date().toISOString();
  const built = buildCluster(readManifestObjects(paths, diagnostics));
  diagnostics.push(...built.diagnostics);
  return { cluster: built.cluster, source: { kind: 'manifests', description: `manifests ${paths.join(' ')}`, paths, at, diagnostics } };
}

/** Request options that abort after `timeoutMs` (a cluster that does not answer must not hang a CI job). */
function withTimeout(timeoutMs: number) {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs) as Parameters<RequestContext['setSignal']>[0]);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' as const };
}

const ADMIN_GROUP = 'policy.networking.k8s.io';
const ADMIN_VERSION = 'v1alpha1';

/** Lists namespaces, pods, NetworkPolicies and the admin policies once (read-only; never Secrets). */
export async function listCluster(kubeConfig: KubeConfig, timeoutMs: number): Promise<SourceObject[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const options = withTimeout(timeoutMs);
  const listed = async (what: string, list: () => Promise<{ items?: unknown[] }>): Promise<unknown[]> => {
    try {
      return (await list()).items ?? [];
    } catch (err) {
      throw new Error(`cannot list ${what}: ${describeError(err)}`, { cause: err });
    }
  };
  const admin = async (plural: string, kind: string): Promise<unknown[]> => {
    try {
      const list = (await custom.listClusterCustomObject({ group: ADMIN_GROUP, version: ADMIN_VERSION, plural }, options)) as { items?: unknown[] };
      // Custom resources come as sent; list items may lack kind and apiVersion.
      return (list.items ?? []).map((item) => ({ apiVersion: `${ADMIN_GROUP}/${ADMIN_VERSION}`, kind, ...(item as object) }));
    } catch (err) {
      // Not served: the cluster has no such policies.
      if ((err as { code?: unknown }).code === 404) return [];
      throw new Error(`cannot list ${plural}: ${describeError(err)}`, { cause: err });
    }
  };
  const [namespaces, pods, policies, anps, banps] = await Promise.all([
    listed('namespaces', () => core.listNamespace({}, options)),
    listed('pods', () => core.listPodForAllNamespaces({}, options)),
    listed('networkpolicies', () => networking.listNetworkPolicyForAllNamespaces({}, options)),
    admin('adminnetworkpolicies', 'AdminNetworkPolicy'),
    admin('baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy'),
  ]);
  return [
    ...namespaces.map((o) => ({ object: normalizeObject('namespaces', o) })),
    ...pods.map((o) => ({ object: normalizeObject('pods', o) })),
    ...policies.map((o) => ({ object: normalizeObject('networkpolicies', o) })),
    ...[...anps, ...banps].map((object) => ({ object })),
  ];
}

async function clusterSides(paths: string[], opts: DiffCommandOptions): Promise<{ before: Side; after: Side }> {
  const resolved = resolveKubeConfig({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context ? { context: opts.context } : {}) });
  if (!resolved) throw new Error('--cluster: no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config or the in-cluster service account)');
  const live = await listCluster(resolved.kubeConfig, opts.timeoutMs ?? 60_000);
  const at = new Date().toISOString();
  const liveBuilt = buildCluster(live);
  const cluster = `cluster ${resolved.description}`;
  const diagnostics: Diagnostic[] = [];
  const overlay = applyManifests(live, readManifestObjects(paths, diagnostics));
  diagnostics.push(...overlay.diagnostics.filter((d) => !liveBuilt.diagnostics.some((l) => JSON.stringify(l) === JSON.stringify(d))));
  return {
    before: { cluster: liveBuilt.cluster, source: { kind: 'cluster', description: cluster, cluster: resolved.description, at, diagnostics: liveBuilt.diagnostics } },
    after: {
      cluster: overlay.cluster,
      source: { kind: 'cluster+manifests', description: `${cluster} with manifests ${paths.join(' ')} applied`, cluster: resolved.description, paths, at, diagnostics },
    },
  };
}

/** Whether the diff fails one of the gates. */
export function gateFails(diff: ConnectivityDiff, failOn: readonly FailOn[]): boolean {
  const s = diff.summary;
  return failOn.some((gate) => {
    if (gate === 'gained') return s.connectionsWithGainedPorts > 0;
    if (gate === 'unprotected') return s.podsBecameUnprotected.ingress + s.podsBecameUnprotected.egress > 0;
    return diff.connections.length + diff.nodes.length + diff.policies.length + diff.findings.added.length + diff.findings.removed.length > 0;
  });
}

export async function runDiff(paths: string[], opts: DiffCommandOptions, io: Output): Promise<number> {
  if (!opts.cluster && paths.length !== 2) {
    io.err(`error: diff takes two manifest files or folders (before and after), got ${paths.length}; or --cluster and the manifests to apply\n`);
    return EXIT.inputErrors;
  }
  let sides: { before: Side; after: Side };
  if (opts.cluster) {
    try {
      sides = await clusterSides(paths, opts);
    } catch (err) {
      io.err(`error: ${(err as Error).message}\n`);
      return EXIT.clusterUnavailable;
    }
  } else {
    sides = { before: manifestsSide([paths[0]!]), after: manifestsSide([paths[1]!]) };
  }
  const { before, after } = sides;
  for (const d of [...before.source.diagnostics, ...after.source.diagnostics]) io.err(formatDiagnostic(d) + '\n');

  const options = { ipBlockMatchesPods: opts.ipblockMatchesPods };
  const diff = diffAnalyses(analyze(before.cluster, options), analyze(after.cluster, options), { group: opts.group });
  const doc = diffDocument(diff, before.source, after.source, opts.ipblockMatchesPods);
  if (opts.output === 'json') io.out(JSON.stringify(doc, null, 2) + '\n');
  else if (opts.output === 'csv') io.out(renderDiffCsv(doc));
  else io.out(renderDiffText(doc));

  const hasErrors = [...before.source.diagnostics, ...after.source.diagnostics].some((d) => d.severity === 'error');
  if (hasErrors) return EXIT.inputErrors;
  return gateFails(diff, opts.failOn) ? EXIT.gateFailed : EXIT.ok;
}

function booleanArg(value: string): boolean {
  try {
    return parseBooleanFlag(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function failOnArg(value: string): FailOn[] {
  const items = value.split(',').map((v) => v.trim());
  for (const item of items) {
    if (!(FAIL_ON as readonly string[]).includes(item)) throw new InvalidArgumentError(`"${item}" is not one of ${FAIL_ON.join(', ')} (comma-separated)`);
  }
  return items as FailOn[];
}

export function registerDiffCommand(program: Command, io: Output, setExit: (code: number) => void): Command {
  return program
    .command('diff')
    .description('what changes between two manifest folders (A B), or between the live cluster and the cluster with manifests applied (--cluster B)')
    .argument('<paths...>', 'A B (before and after manifest files or folders), or with --cluster the manifests to apply')
    .option('--cluster', 'compare the live cluster with the cluster after applying the manifests', false)
    .option('--kubeconfig <path>', 'with --cluster: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'with --cluster: kubeconfig context')
    // Workloads by default: pod names change with every rollout (and manifests name template pods
    // after their workload), workload ids stay; namespaces are too coarse to review a change.
    .addOption(new Option('--group <level>', 'level of the nodes compared').choices(['pod', 'workload', 'namespace']).default('workload'))
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .addOption(new Option('--fail-on <gates>', 'exit 1 when: gained (a connection gained ports), unprotected (a pod became unprotected), any (any change); comma-separated').argParser(failOnArg).default([]))
    .addOption(new Option('--ipblock-matches-pods <bool>', 'whether ipBlocks (and admin networks) also match pod IPs').argParser(booleanArg).default(true))
    .action(async (paths: string[], opts: DiffCommandOptions) => setExit(await runDiff(paths, opts, io)));
}
