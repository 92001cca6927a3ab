// The differential check of one random cluster: the class engine (shared/engine/engine.ts, fed by
// the loader) against the reference evaluator (shared/reference/evaluate.ts, fed by the raw
// objects): participating pods, isolation, every pod pair and every external range (sampled
// addresses), ports and reasons (tiers and actions included).
//
// On a mismatch the error names the seed, the option, the pair, both answers and the raw objects;
// reproduce with `randomCluster(seed, { admin })` from test/support/random-cluster.ts.
import { describe, it } from 'vitest';
import type { Analysis, Connection, DirectionReason, EndpointRef, ExternalRange } from '../../shared/engine/analysis.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { FAMILY_BITS, formatIp, type Family } from '../../shared/model/ip.ts';
import type { PortSet } from '../../shared/model/port-set.ts';
import type { AnalysisOptions, Cluster, Diagnostic } from '../../shared/model/types.ts';
import { createReference, type RefEndpoint, type RefReason, type RefResult, type RefRuleRef, type Reference } from '../../shared/reference/evaluate.ts';
import { Random, randomCluster } from './random-cluster.ts';

interface Context {
  seed: number;
  admin: boolean;
  options: AnalysisOptions;
  objects: unknown[];
}

function json(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
}

function mismatch(ctx: Context, what: string, engine: unknown, reference: unknown): never {
  throw new Error(
    [
      `differential mismatch: seed ${ctx.seed}, admin=${ctx.admin}, ipBlockMatchesPods=${ctx.options.ipBlockMatchesPods}`,
      what,
      `engine:    ${json(engine)}`,
      `reference: ${json(reference)}`,
      `reproduce: randomCluster(${ctx.seed}, { admin: ${ctx.admin} }) from test/support/random-cluster.ts; raw objects:`,
      json(ctx.objects, 1),
    ].join('\n'),
  );
}

function expectSame(ctx: Context, what: string, engine: unknown, reference: unknown): void {
  if (json(engine) !== json(reference)) mismatch(ctx, what, engine, reference);
}

/** Reasons with their fields in one order: policy, rule, and tier and action when present. */
function reasonShape(reason: DirectionReason | RefReason): RefReason {
  if (reason === 'unisolated') return reason;
  return reason.map((r) => ({ policy: r.policy, rule: r.rule, ...(r.tier ? { tier: r.tier } : {}), ...(r.action ? { action: r.action } : {}) }) as RefRuleRef);
}

/** The comparable shape of one answer: allowed ports, and connection (null when nothing). */
function engineAnswer(allowed: PortSet, connection: Connection | null): unknown {
  return {
    allowed: allowed.key(),
    connection:
      connection === null
        ? null
        : { ports: connection.ports.key(), egress: reasonShape(connection.reasons.egress), ingress: reasonShape(connection.reasons.ingress) },
  };
}

function referenceAnswer(result: RefResult): unknown {
  return {
    allowed: result.ports.key(),
    connection: result.ports.isEmpty() ? null : { ports: result.ports.key(), egress: reasonShape(result.reasons.egress), ingress: reasonShape(result.reasons.ingress) },
  };
}

/** Per role, the external ranges must be disjoint and cover IPv4 (and IPv6 when any is present). */
function checkPartition(ctx: Context, externals: readonly ExternalRange[], role: 'asSource' | 'asDestination'): void {
  const pieces = externals.filter((e) => e[role]);
  for (const family of [4, 6] as Family[]) {
    const ranges = pieces
      .filter((e) => e.range.family === family)
      .map((e) => e.range)
      .sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
    if (family === 6 && ranges.length === 0) continue;
    const max = (1n << BigInt(FAMILY_BITS[family])) - 1n;
    let next = 0n;
    for (const r of ranges) {
      if (r.first !== next || r.last < r.first) {
        mismatch(ctx, `externals ${role} IPv${family}: not a partition (expected a range starting at ${formatIp(family, next)})`, pieces, null);
      }
      next = r.last + 1n;
    }
    if (next !== max + 1n) mismatch(ctx, `externals ${role} IPv${family}: does not reach the end of the address space`, pieces, null);
  }
}

/** One seeded random cluster: the engine must give the reference's answer everywhere, or this throws with everything needed to reproduce. */
export function checkSeed(seed: number, admin: boolean, options: AnalysisOptions): void {
  const objects = randomCluster(seed, { admin });
  const ctx: Context = { seed, admin, options, objects };

  const built: { cluster: Cluster; diagnostics: Diagnostic[] } = buildCluster(objects.map((object) => ({ object })));
  const errors = built.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) mismatch(ctx, 'the loader reported errors on valid objects', errors, []);
  const a: Analysis = analyze(built.cluster, options);
  const ref: Reference = createReference(objects, options);

  // Which pods take part.
  const ids = a.pods.map((p) => p.id);
  expectSame(ctx, 'participating pods', [...ids].sort(), ref.participatingPods());
  ids.forEach((id, i) => {
    if (a.podIndex(id) !== i) mismatch(ctx, `podIndex(${id})`, a.podIndex(id), i);
  });

  // Isolation.
  ids.forEach((id, i) => {
    const iso = a.isolation(i);
    expectSame(ctx, `isolation of ${id}`, { ingress: iso.ingress, egress: iso.egress }, ref.isolation(id));
  });

  // Every ordered pod pair, including a pod with itself.
  const podRef = (index: number): EndpointRef => ({ kind: 'pod', index });
  ids.forEach((fromId, i) => {
    ids.forEach((toId, j) => {
      const engine = engineAnswer(a.allowed(podRef(i), podRef(j)), a.connection(podRef(i), podRef(j)));
      const reference = referenceAnswer(ref.connection({ kind: 'pod', id: fromId }, { kind: 'pod', id: toId }));
      expectSame(ctx, `connection ${fromId} -> ${toId}`, engine, reference);
    });
  });

  // External ranges: the partition per role, then sample addresses of each range against every pod.
  checkPartition(ctx, a.externals, 'asSource');
  checkPartition(ctx, a.externals, 'asDestination');
  const random = new Random(seed * 2 + (options.ipBlockMatchesPods ? 1 : 0));
  a.externals.forEach((e, index) => {
    const { family, first, last } = e.range;
    const samples = [...new Set([first, last, random.bigint(first, last)])].map((v) => formatIp(family, v));
    const ext: EndpointRef = { kind: 'external', index };
    for (const role of ['source', 'destination'] as const) {
      if (!(role === 'source' ? e.asSource : e.asDestination)) continue;
      for (const ip of samples) {
        const found = a.externalIndex(ip, role);
        if (found !== index) mismatch(ctx, `externalIndex(${ip}, ${role}) for external ${e.id}`, found, index);
        const addr: RefEndpoint = { kind: 'ip', ip };
        ids.forEach((id, j) => {
          const [from, to] = role === 'source' ? [ext, podRef(j)] : [podRef(j), ext];
          const [refFrom, refTo]: RefEndpoint[] = role === 'source' ? [addr, { kind: 'pod', id }] : [{ kind: 'pod', id }, addr];
          const engine = engineAnswer(a.allowed(from, to), a.connection(from, to));
          const reference = referenceAnswer(ref.connection(refFrom!, refTo!));
          const pair = role === 'source' ? `${ip} (external ${e.id}) -> ${id}` : `${id} -> ${ip} (external ${e.id})`;
          expectSame(ctx, `connection ${pair}`, engine, reference);
        });
      }
    }
  });
}

/** Vitest suites over seeds 1-2,000, in chunks, with ipBlockMatchesPods true and false. */
export function differentialSuites(admin: boolean): void {
  const FIRST_SEED = 1;
  const LAST_SEED = 2000;
  const CHUNK = 250;
  for (const ipBlockMatchesPods of [true, false]) {
    describe(`engine = reference on random clusters${admin ? ' with admin policies' : ''} (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
      for (let start = FIRST_SEED; start <= LAST_SEED; start += CHUNK) {
        const end = Math.min(LAST_SEED, start + CHUNK - 1);
        it(`seeds ${start}-${end}`, () => {
          for (let seed = start; seed <= end; seed++) checkSeed(seed, admin, { ipBlockMatchesPods });
        });
      }
    });
  }
}
