// The live engine's current state as views read it.
import type { ResourceStatus, SourceStatus } from '../../shared/model/status.ts';
import type { EngineState } from '../views/view-model.ts';
import type { LiveEngine } from './live-engine.ts';

function withoutEventTimes(status: SourceStatus): SourceStatus {
  const strip = (list: ResourceStatus[]) => list.map(({ lastEventAt: _, ...rest }) => rest);
  return { pods: strip(status.pods), namespaces: strip(status.namespaces), networkpolicies: strip(status.networkpolicies) };
}

export function engineState(engine: LiveEngine): EngineState {
  const unknown = engine.unknown;
  const known = (ns: string) => unknown !== 'all' && !unknown.has(ns);
  return {
    analysis: engine.analysis,
    unknown,
    // Findings about namespaces whose data is unknown would be guesses.
    findings: engine.analysis.findings.filter((f) => known(f.kind === 'namespace-without-default-deny' ? f.subject : f.subject.split('/')[0]!)),
    // Views carry sync states, not event times (those would change every view on every event);
    // `source:status` carries the times.
    status: withoutEventTimes(engine.state.status()),
    seq: engine.seq,
    at: engine.lastUpdate ?? new Date(0).toISOString(),
  };
}
