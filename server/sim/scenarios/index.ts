// Scenario names -> the raw objects the simulated cluster starts with.
import { generateScaleCluster, SCALE_PRESETS } from '../scale-cluster.ts';
import { demoScenario } from './demo.ts';

export const SCENARIOS = ['demo', 'S', 'M', 'L', 'empty'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export interface ScenarioOptions {
  seed?: number;
  /** Clock the demo's ages are relative to. */
  now?: number;
  /** Whether AdminNetworkPolicy objects are included (when the server serves them). */
  adminPolicies?: boolean;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function namespace(name: string, now: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, creationTimestamp: `${new Date(now - 30 * 86_400_000).toISOString().slice(0, 19)}Z`, labels: { 'kubernetes.io/metadata.name': name } },
  };
}

/** The scenario's objects: `demo` (default), `S`/`M`/`L` (generateScaleCluster presets), `empty`. */
export function scenarioObjects(name: string, options: ScenarioOptions = {}): unknown[] {
  const now = options.now ?? Date.now();
  switch (name) {
    case 'demo':
      return demoScenario({ now, ...(options.seed === undefined ? {} : { seed: options.seed }), adminPolicies: options.adminPolicies !== false });
    case 'S':
    case 'M':
    case 'L': {
      const objects = generateScaleCluster({ ...SCALE_PRESETS[name], seed: options.seed ?? 1 });
      const present = new Set<string>();
      for (const o of objects) {
        const obj = o as { kind?: string; metadata?: { name?: string } };
        if (obj.kind === 'Namespace' && obj.metadata?.name) present.add(obj.metadata.name);
      }
      const extra = SYSTEM_NAMESPACES.filter((n) => !present.has(n)).map((n) => namespace(n, now));
      return [...extra, ...objects];
    }
    case 'empty':
      return SYSTEM_NAMESPACES.map((n) => namespace(n, now));
    default:
      throw new Error(`unknown scenario "${name}" (one of ${SCENARIOS.join(', ')})`);
  }
}
