// The history timeline as the time-travel bar draws it: unprotected pods over time (step lines,
// since the posture changes only at events), policy changes as ticks, and the times the server
// was not watching as gaps. Pure: the REST answer's shape in, SVG geometry out.

/** `GET /api/v1/history/timeline` (the parts the bar uses). */
export interface TimelineData {
  from: string;
  to: string;
  gaps: { from: string; to: string | null; reason: string }[];
  posture: { t: string; pods: number; unknownPods: number; unprotectedIngress: number | null; unprotectedEgress: number | null }[];
  markers: { t: string; resource: string; change: 'added' | 'changed' | 'deleted'; namespace: string | null; name: string | null }[];
}

export interface TimelineLayout {
  /** Step paths (`d` attributes) of unprotected pods for ingress and for egress. */
  ingress: string;
  egress: string;
  /** The largest count drawn (the top of the bar). */
  max: number;
  markers: { x: number; title: string }[];
  gaps: { x: number; width: number; title: string }[];
  /** x of an instant, and the instant at an x (ms). */
  xOf(t: number): number;
  tOf(x: number): number;
}

const ms = (iso: string) => Date.parse(iso);

function stepPath(points: readonly { x: number; v: number | null }[], y: (v: number) => number, end: number): string {
  let d = '';
  let open = false;
  points.forEach((p, i) => {
    // Unknown counts are not drawn: the line breaks there.
    if (p.v === null) {
      open = false;
      return;
    }
    const next = points[i + 1]?.x ?? end;
    d += `${open ? 'L' : 'M'}${p.x.toFixed(1)},${y(p.v).toFixed(1)}H${next.toFixed(1)}`;
    open = true;
  });
  return d;
}

export function layoutTimeline(data: TimelineData, width: number, height: number, pad = 2): TimelineLayout {
  const from = ms(data.from);
  const to = Math.max(ms(data.to), from + 1);
  const xOf = (t: number) => ((Math.min(Math.max(t, from), to) - from) / (to - from)) * width;
  const tOf = (x: number) => from + (Math.min(Math.max(x, 0), width) / width) * (to - from);
  const max = Math.max(1, ...data.posture.map((p) => Math.max(p.unprotectedIngress ?? 0, p.unprotectedEgress ?? 0)));
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const points = data.posture.map((p) => ({ x: xOf(ms(p.t)), ingress: p.unprotectedIngress, egress: p.unprotectedEgress }));
  return {
    ingress: stepPath(points.map((p) => ({ x: p.x, v: p.ingress })), y, width),
    egress: stepPath(points.map((p) => ({ x: p.x, v: p.egress })), y, width),
    max,
    markers: data.markers.map((m) => ({
      x: xOf(ms(m.t)),
      title: `${m.t.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}: ${m.resource} ${m.namespace ? `${m.namespace}/` : ''}${m.name ?? ''} ${m.change}`,
    })),
    gaps: data.gaps.map((g) => {
      const x = xOf(ms(g.from));
      return { x, width: Math.max(2, xOf(g.to === null ? to : ms(g.to)) - x), title: `not watched from ${g.from} to ${g.to ?? 'now'} (${g.reason})` };
    }),
    xOf,
    tOf,
  };
}

/** `2026-11-26 02:14:05 UTC` */
export const instantText = (iso: string): string => `${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, '')} UTC`;
