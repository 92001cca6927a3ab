// Answers to `explain:connection`: why one node may reach another, per direction, with the tier
// and action of each deciding rule when admin policies apply.
import type { Connection, DirectionExplanation, EndpointRef, Explanation, RuleRef } from '../../shared/engine/analysis.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { mergeReasons } from '../../shared/matrix/matrix.ts';
import type { Cluster } from '../../shared/model/types.ts';
import type { DirectionExplanationJSON, ExplainRequest, ExplainResult, ExplanationJSON } from '../../shared/protocol/events.ts';
import { decisionSteps } from './decision.ts';
import { isUnknown, Membership, representative, type Member, type Unknown } from './members.ts';
import { CellContext } from './cells.ts';
import { NotFoundError } from './not-found.ts';

export { NotFoundError } from './not-found.ts';

function namespaceOf(level: ExplainRequest['level'], id: string): string | null {
  if (id.startsWith('ip:')) return null;
  return level === 'namespace' ? id : id.split('/')[0]!;
}

export function explainConnection(a: EngineAnalysis, unknown: Unknown, req: ExplainRequest): ExplainResult {
  const unknownSide = [req.from, req.to].some((id) => {
    const ns = namespaceOf(req.level, id);
    return ns !== null && isUnknown(unknown, ns);
  });
  if (req.level === 'pod' || (req.from.startsWith('ip:') && req.to.startsWith('ip:'))) return explainPods(a, req, unknownSide);

  const namespaces = [req.from, req.to].map((id) => namespaceOf(req.level, id)).filter((ns): ns is string => ns !== null);
  const membership = new Membership({ level: req.level, namespaces, ...(req.port ? { port: req.port } : {}) }, a, unknown);
  const members = membership.members;
  const endpoint = (id: string): Member | number => {
    if (id.startsWith('ip:')) {
      const e = a.externals.findIndex((x) => x.id === id);
      if (e < 0) throw new NotFoundError(`no external range ${id}`);
      return e;
    }
    const m = members.get(id);
    if (!m) throw new NotFoundError(`no ${req.level} ${id}`);
    return m;
  };
  const from = endpoint(req.from);
  const to = endpoint(req.to);
  const ctx = new CellContext(a, req.port, membership);
  const cell =
    typeof from === 'number'
      ? ctx.externalCell(from, to as Member, 'from')
      : typeof to === 'number'
        ? ctx.externalCell(to, from, 'to')
        : (ctx.row(from).get(to.node.id) ?? null);
  const connections = unknownSide ? [] : groupConnections(a, from, to, ctx);
  const reasons = unknownSide ? { ingress: null, egress: null } : connections.length > 0 ? mergeReasons(connections) : { ingress: [], egress: [] };
  return {
    level: req.level,
    from: req.from,
    to: req.to,
    allowed: cell?.ports ?? [],
    pairs: { allowed: cell?.allowed ?? 0, total: cell?.total ?? 0 },
    reasons,
    unknown: unknownSide,
  };
}

/** One connection per distinct key pair between two grouped endpoints (reasons depend only on keys). */
function groupConnections(a: EngineAnalysis, from: Member | number, to: Member | number, ctx: CellContext): Connection[] {
  const out: Connection[] = [];
  const add = (src: EndpointRef, dst: EndpointRef) => {
    const c = a.connection(src, dst);
    if (c && ctx.counts(a.portTable.id(c.ports))) out.push(c);
  };
  if (typeof from === 'number') {
    for (const k of (to as Member).destinations.values()) add({ kind: 'external', index: from }, { kind: 'pod', index: representative(a, k) });
  } else if (typeof to === 'number') {
    for (const k of from.sources.values()) add({ kind: 'pod', index: representative(a, k) }, { kind: 'external', index: to });
  } else {
    for (const s of from.sources.values()) {
      for (const d of to.destinations.values()) {
        // Two distinct pods, one of each key set (a pod is never paired with itself).
        const pair = distinctPair(s.pods, d.pods);
        if (pair) add({ kind: 'pod', index: a.podIndex(pair[0]) }, { kind: 'pod', index: a.podIndex(pair[1]) });
      }
    }
  }
  return out;
}

function distinctPair(sources: ReadonlySet<string>, destinations: ReadonlySet<string>): [string, string] | null {
  for (const s of sources) for (const d of destinations) if (s !== d) return [s, d];
  return null;
}

function explainPods(a: EngineAnalysis, req: ExplainRequest, unknownSide: boolean): ExplainResult {
  const ref = (id: string): EndpointRef => {
    if (id.startsWith('ip:')) {
      const e = a.externals.findIndex((x) => x.id === id);
      if (e < 0) throw new NotFoundError(`no external range ${id}`);
      return { kind: 'external', index: e };
    }
    const i = a.podIndex(id);
    if (i < 0) throw new NotFoundError(`no pod ${id}`);
    return { kind: 'pod', index: i };
  };
  const from = ref(req.from);
  const to = ref(req.to);
  const explanation = a.explain(from, to, req.port);
  const counted = explanation.verdict && !unknownSide;
  return {
    level: 'pod',
    from: req.from,
    to: req.to,
    allowed: counted ? explanation.allowed.toJSON() : [],
    pairs: { allowed: counted ? 1 : 0, total: 1 },
    ...(unknownSide ? {} : { explanation: explanationJSON(a.cluster, explanation) }),
    unknown: unknownSide,
  };
}

/** A rule reference as JSON: tier and action only when present (NetworkPolicy-only clusters keep their shape). */
function ruleJSON(r: RuleRef): RuleRef {
  return { policy: r.policy, rule: r.rule, ...(r.tier ? { tier: r.tier } : {}), ...(r.action ? { action: r.action } : {}) };
}

function directionJSON(cluster: Cluster, direction: 'ingress' | 'egress', d: DirectionExplanation): DirectionExplanationJSON {
  const json: DirectionExplanationJSON = {
    isolated: d.isolated,
    policies: d.policies,
    rules: d.rules.map((r) => ({ ...ruleJSON(r), ports: r.ports.toJSON() })),
    ports: d.ports.toJSON(),
  };
  if (d.admin) {
    json.admin = {
      policies: d.admin.policies,
      baseline: d.admin.baseline,
      rules: d.admin.rules.map((r) => ({ policy: r.policy, rule: r.rule, tier: r.tier, action: r.action, ports: r.ports.toJSON() })),
      passed: d.admin.passed.toJSON(),
    };
    json.decision = decisionSteps(cluster, direction, d)!;
  }
  return json;
}

function explanationJSON(cluster: Cluster, e: Explanation): ExplanationJSON {
  return {
    allowed: e.allowed.toJSON(),
    verdict: e.verdict,
    egress: directionJSON(cluster, 'egress', e.egress),
    ingress: directionJSON(cluster, 'ingress', e.ingress),
    ...(e.note ? { note: e.note } : {}),
  };
}
