// The live engine's current state as views read it.
import type { Finding } from '../../shared/engine/analysis.ts';
import type { ResourceStatus, SourceStatus } from '../../shared/model/status.ts';
import type { EngineState } from '../views/view-model.ts';
import type { LiveEngine } from './live-engine.ts';

function withoutEventTimes(status: SourceStatus): SourceStatus {
  const strip = (list: ResourceStatus[]) => list.map(({ lastEventAt: _, ...rest }) => rest);
  return Object.fromEntries(Object.entries(status).map(([resource, list]) => [resource, strip(list)])) as SourceStatus;
}

/** The known findings per (findings, unknown) pair: the same array while neither changes, so views can skip them. */
const knownFindings = new WeakMap<readonly Finding[], { unknown: LiveEngine['unknown']; findings: readonly Finding[] }>();

function findingsKnown(all: readonly Finding[], unknown: LiveEngine['unknown']): readonly Finding[] {
  const cached = knownFindings.get(all);
  if (cached && cached.unknown === unknown) return cached.findings;
  const known = (ns: string) => unknown !== 'all' && !unknown.has(ns);
  // Findings about namespaces whose data is unknown would be guesses.
  const findings = all.filter((f) => known(f.kind === 'namespace-without-default-deny' ? f.subject : f.subject.split('/')[0]!));
  knownFindings.set(all, { unknown, findings });
  return findings;
}

export function engineState(engine: LiveEngine): EngineState {
  const unknown = engine.unknown;
  return {
    analysis: engine.analysis,
    unknown,
    findings: findingsKnown(engine.analysis.findings, unknown),
    // Views carry sync states, not event times (those would change every view on every event);
    // `source:status` carries the times.
    status: withoutEventTimes(engine.state.status()),
    seq: engine.seq,
    at: engine.lastUpdate ?? new Date(0).toISOString(),
  };
}
