// What every offline command shares: loading manifests, the semantic options, printing diagnostics.
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import type { Diagnostic } from '../../shared/model/types.ts';
import { loadManifests } from './load-manifests.ts';

/** 0 done; 1 a gate failed (`check --expect`, `unprotected --fail`, `diff --fail-on`); 2 input errors; 3 the cluster could not be read (`diff --cluster`). */
export const EXIT = { ok: 0, gateFailed: 1, inputErrors: 2, clusterUnavailable: 3 } as const;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function parseBooleanFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`expected true or false, got "${value}"`);
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.object, d.field].filter(Boolean).join(': ');
  return `${d.severity}: ${where ? `${where}: ` : ''}${d.message}`;
}

export interface Loaded {
  analysis: EngineAnalysis;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

export function loadAndAnalyze(paths: readonly string[], ipBlockMatchesPods: boolean, io: Output): Loaded {
  const { cluster, diagnostics } = loadManifests(paths);
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
  return {
    analysis: analyze(cluster, { ipBlockMatchesPods }),
    diagnostics,
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
  };
}
