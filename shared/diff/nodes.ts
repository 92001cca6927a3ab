// Nodes (pods, workloads or namespaces) that appeared or disappeared, changed size, or whose pods
// became unprotected or protected, per direction. One pass over the pods of each side.
import { compareText } from '../model/order.ts';
import type { DiffSide } from './side.ts';
import type { NodeChange, NodeState } from './types.ts';

type Direction = 'ingress' | 'egress';
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

function states(side: DiffSide): Map<string, NodeState> {
  const out = new Map<string, NodeState>();
  side.analysis.pods.forEach((_, i) => {
    const id = side.nodeOfPod[i]!;
    let s = out.get(id);
    if (!s) out.set(id, (s = { pods: 0, isolation: { ingress: true, egress: true }, unprotected: { ingress: 0, egress: 0 } }));
    const iso = side.analysis.isolation(i);
    s.pods++;
    for (const d of DIRECTIONS) {
      if (!iso[d]) {
        s.unprotected[d]++;
        s.isolation[d] = false;
      }
    }
  });
  return out;
}

export function diffNodes(before: DiffSide, after: DiffSide): NodeChange[] {
  const was = states(before);
  const now = states(after);
  const zero = () => ({ ingress: 0, egress: 0 });
  // Per node: pods on both sides that flipped, and unprotected pods among those that joined or left it.
  const counts = new Map<string, { unprotected: Record<Direction, number>; protected: Record<Direction, number>; joined: Record<Direction, number>; left: Record<Direction, number> }>();
  const countsOf = (id: string) => {
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { unprotected: zero(), protected: zero(), joined: zero(), left: zero() }));
    return c;
  };
  const b = before.analysis;
  const a = after.analysis;
  a.pods.forEach((pod, ai) => {
    const node = after.nodeOfPod[ai]!;
    const bi = b.podIndex(pod.id);
    const isoBefore = bi >= 0 && before.nodeOfPod[bi] === node ? b.isolation(bi) : null;
    const isoAfter = a.isolation(ai);
    for (const d of DIRECTIONS) {
      if (isoBefore === null) {
        if (!isoAfter[d]) countsOf(node).joined[d]++;
      } else if (isoBefore[d] && !isoAfter[d]) countsOf(node).unprotected[d]++;
      else if (!isoBefore[d] && isoAfter[d]) countsOf(node).protected[d]++;
    }
  });
  b.pods.forEach((pod, bi) => {
    const node = before.nodeOfPod[bi]!;
    const ai = a.podIndex(pod.id);
    if (ai >= 0 && after.nodeOfPod[ai] === node) return;
    const iso = b.isolation(bi);
    for (const d of DIRECTIONS) if (!iso[d]) countsOf(node).left[d]++;
  });

  const ids = [...new Set([...was.keys(), ...now.keys()])].sort(compareText);
  const out: NodeChange[] = [];
  for (const id of ids) {
    const w = was.get(id) ?? null;
    const n = now.get(id) ?? null;
    const c = counts.get(id) ?? { unprotected: zero(), protected: zero(), joined: zero(), left: zero() };
    // Unprotected pods that joined count only beyond those that left: a rollout replaces pods, it exposes nothing.
    const becameUnprotected = { ingress: 0, egress: 0 };
    for (const d of DIRECTIONS) becameUnprotected[d] = c.unprotected[d] + Math.max(0, c.joined[d] - c.left[d]);
    const flipped = becameUnprotected.ingress + becameUnprotected.egress + c.protected.ingress + c.protected.egress > 0;
    const resized = w !== null && n !== null && (w.pods !== n.pods || w.unprotected.ingress !== n.unprotected.ingress || w.unprotected.egress !== n.unprotected.egress);
    if (w !== null && n !== null && !flipped && !resized) continue;
    out.push({
      id,
      kind: before.group,
      change: w === null ? 'appeared' : n === null ? 'disappeared' : 'changed',
      before: w,
      after: n,
      becameUnprotected,
      becameProtected: c.protected,
    });
  }
  return out;
}
