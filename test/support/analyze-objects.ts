// Raw objects -> loader -> class engine, with short accessors for tests.
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import type { EndpointRef } from '../../shared/engine/analysis.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Diagnostic } from '../../shared/model/types.ts';

export interface Analyzed {
  a: EngineAnalysis;
  diagnostics: Diagnostic[];
  /** Canonical port-set text (`all`, `none`, `TCP 80 UDP 53`) from one endpoint to another. */
  allowed(from: string, to: string): string;
  isolation(pod: string): { ingress: boolean; egress: boolean };
}

export function analyzeObjects(objects: object[], ipBlockMatchesPods = true): Analyzed {
  const { cluster, diagnostics } = buildCluster(objects.map((object) => ({ object })));
  const a = analyze(cluster, { ipBlockMatchesPods });
  const ref = (text: string, role: 'source' | 'destination'): EndpointRef => {
    const pod = a.podIndex(text);
    if (pod >= 0) return { kind: 'pod', index: pod };
    const ext = a.externalIndex(text, role);
    if (ext >= 0) return { kind: 'external', index: ext };
    throw new Error(`no endpoint ${text}`);
  };
  return {
    a,
    diagnostics,
    allowed: (from, to) => a.allowed(ref(from, 'source'), ref(to, 'destination')).key(),
    isolation: (pod) => {
      const i = a.podIndex(pod);
      if (i < 0) throw new Error(`no pod ${pod}`);
      return a.isolation(i);
    },
  };
}
