// The marks a diff of two instants puts on the matrix and the graph (client/diff-marks.ts): read
// off a real diff of two small clusters (shared/diff), then the cases one at a time: which cells
// and nodes are marked and how, what a tooltip says, what a view can show, the summary's words.
import { describe, expect, it } from 'vitest';
import { changesToDraw, countsText, diffMarks, marksByGroup, marksInView, nodeMarkOf, type DiffMarks } from '../../client/diff-marks.ts';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import type { ConnectionChange, ConnectivityDiff, DiffSummary, NodeChange } from '../../shared/diff/types.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { DEFAULT_OPTIONS } from '../../shared/model/types.ts';
import { namespace, pod, policy } from '../support/objects.ts';

const SINCE = '2026-11-26T02:14:00.000Z';
const SINCE_TEXT = '2026-11-26 02:14:00 UTC';

const analysisOf = (objects: object[]) => {
  const { cluster, diagnostics } = buildCluster(objects.map((object) => ({ object })));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return analyze(cluster, DEFAULT_OPTIONS);
};

// prod: web (ports 80, 443) and db, ingress denied by default, web open on 80. dev: client, tester.
const PODS = [
  namespace('prod'),
  namespace('dev'),
  pod('prod/web', { labels: { app: 'web' }, ip: '10.0.0.1', ports: [{ containerPort: 80 }, { containerPort: 443 }] }),
  pod('prod/db', { labels: { app: 'db' }, ip: '10.0.0.2' }),
  pod('dev/client', { labels: { app: 'client' }, ip: '10.0.1.1' }),
  pod('dev/tester', { labels: { app: 'tester' }, ip: '10.0.1.2' }),
];
const DENY_PROD = policy('prod/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const WEB = (port: number) => policy('prod/web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ protocol: 'TCP', port }] }] });
const CLIENT_NO_EGRESS = policy('dev/client-no-egress', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] });

/**
 * Then: prod's default deny is deleted (db opens for ingress), web moves from 80 to 443, and
 * client loses all egress.
 */
function incident(): ConnectivityDiff {
  return diffAnalyses(analysisOf([...PODS, DENY_PROD, WEB(80)]), analysisOf([...PODS, WEB(443), CLIENT_NO_EGRESS]), { group: 'pod' });
}

describe('diffMarks on a real diff', () => {
  const marks = diffMarks(incident(), SINCE);
  const cell = (from: string, to: string) => marks.cells.get(`${from}\t${to}`);

  it('marks connections gained, lost and with other ports by cell, and says what changed since when', () => {
    expect(marks.group).toBe('pod');
    expect(cell('dev/tester', 'prod/db')).toEqual({ from: 'dev/tester', to: 'prod/db', change: 'gained', text: `gained since ${SINCE_TEXT}: all ports` });
    expect(cell('dev/client', 'prod/web')).toEqual({ from: 'dev/client', to: 'prod/web', change: 'lost', text: `lost since ${SINCE_TEXT}: TCP 80` });
    expect(cell('dev/client', 'dev/tester')?.change).toBe('lost');
    expect(cell('dev/tester', 'prod/web')).toEqual({ from: 'dev/tester', to: 'prod/web', change: 'changed', text: `ports changed since ${SINCE_TEXT}: +TCP 443 −TCP 80` });
    // Unchanged connections carry no mark.
    expect(cell('dev/tester', 'dev/client')).toBeUndefined();
    // Every connection of the diff, and nothing else, is marked.
    expect(marks.cells.size).toBe(incident().connections.length);
  });

  it('marks the direction in which pods became unprotected or protected', () => {
    const db = marks.nodes.get('prod/db')!;
    expect(db).toMatchObject({ ingress: 'unprotected', egress: null });
    expect(db.lines).toEqual({ ingress: [{ mark: 'unprotected', text: `1 pod became unprotected for ingress since ${SINCE_TEXT}` }], egress: [] });
    const client = marks.nodes.get('dev/client')!;
    expect(client).toMatchObject({ ingress: null, egress: 'protected' });
    expect(client.lines.egress).toEqual([{ mark: 'protected', text: `1 pod became protected for egress since ${SINCE_TEXT}` }]);
    // web was isolated for ingress then and is now: no mark.
    expect(marks.nodes.has('prod/web')).toBe(false);
    expect(marks.counts).toMatchObject({ becameUnprotected: 1, becameProtected: 1 });
  });

  it('counts agree with the diff summary', () => {
    const s = incident().summary.connections;
    expect(marks.counts).toMatchObject({ gained: s.gained, lost: s.lost, changed: s.changed });
  });
});

// ----- single cases, on hand-written diffs -----

const NO_PODS = { ingress: 0, egress: 0 };
const SUMMARY: DiffSummary = {
  connections: { gained: 0, lost: 0, changed: 0 },
  connectionsWithGainedPorts: 0,
  nodes: { appeared: 0, disappeared: 0, changed: 0 },
  podsBecameUnprotected: NO_PODS,
  podsBecameProtected: NO_PODS,
  policies: { added: 0, changed: 0, deleted: 0 },
  findings: { added: 0, removed: 0 },
};

function connection(from: string, to: string, change: ConnectionChange['change'], gained: ConnectionChange['gained'] = [], lost: ConnectionChange['lost'] = []): ConnectionChange {
  return { from, to, change, gained, lost, before: null, after: null };
}

function nodeChange(id: string, becameUnprotected = NO_PODS, becameProtected = NO_PODS): NodeChange {
  const state = { pods: 3, isolation: { ingress: true, egress: true }, unprotected: NO_PODS };
  return { id, kind: 'workload', change: 'changed', before: state, after: state, becameUnprotected, becameProtected };
}

function diffOf(connections: ConnectionChange[], nodes: NodeChange[] = []): ConnectivityDiff {
  return { group: 'workload', summary: SUMMARY, connections, nodes, policies: [], findings: { added: [], removed: [] }, notes: [] };
}

const tcp = (port: number) => ({ protocol: 'TCP' as const, port, endPort: port });

describe('diffMarks, case by case', () => {
  it('a node with pods opened one way and closed the other is marked both ways; the graph shows it as unprotected', () => {
    const marks = diffMarks(diffOf([], [nodeChange('prod/api[Deployment]', { ingress: 2, egress: 0 }, { ingress: 0, egress: 3 })]), SINCE);
    const api = marks.nodes.get('prod/api[Deployment]')!;
    expect(api).toMatchObject({ ingress: 'unprotected', egress: 'protected' });
    expect(api.lines.ingress[0]!.text).toBe(`2 pods became unprotected for ingress since ${SINCE_TEXT}`);
    expect(api.lines.egress[0]!.text).toBe(`3 pods became protected for egress since ${SINCE_TEXT}`);
    expect(nodeMarkOf(api)).toBe('unprotected');
    expect(marks.counts).toMatchObject({ becameUnprotected: 1, becameProtected: 1 });
  });

  it('in one direction, pods opened win over pods closed (both lines are kept)', () => {
    const marks = diffMarks(diffOf([], [nodeChange('prod/api[Deployment]', { ingress: 1, egress: 0 }, { ingress: 2, egress: 0 })]), SINCE);
    const api = marks.nodes.get('prod/api[Deployment]')!;
    expect(api.ingress).toBe('unprotected');
    expect(api.lines.ingress.map((l) => l.mark)).toEqual(['unprotected', 'protected']);
  });

  it('a node that changed size only carries no mark', () => {
    expect(diffMarks(diffOf([], [nodeChange('prod/api[Deployment]')]), SINCE).nodes.size).toBe(0);
  });

  it('ports gained only, or lost only, on a changed cell say just that', () => {
    const marks = diffMarks(diffOf([connection('a', 'b', 'changed', [tcp(443)], []), connection('a', 'c', 'changed', [], 'all')]), SINCE);
    expect(marks.cells.get('a\tb')!.text).toBe(`ports changed since ${SINCE_TEXT}: +TCP 443`);
    expect(marks.cells.get('a\tc')!.text).toBe(`ports changed since ${SINCE_TEXT}: −all ports`);
  });
});

describe('marksInView', () => {
  const marks: DiffMarks = diffMarks(
    diffOf(
      [connection('ns/a[Deployment]', 'ns/b[Deployment]', 'gained', 'all'), connection('ns/a[Deployment]', 'ip:10.0.0.0-10.255.255.255', 'lost', [], 'all'), connection('other/x[Deployment]', 'ns/b[Deployment]', 'lost', [], 'all')],
      [nodeChange('ns/b[Deployment]', { ingress: 1, egress: 0 }), nodeChange('other/x[Deployment]', { ingress: 0, egress: 1 })],
    ),
    SINCE,
  );

  it('keeps the cells whose source is a row and destination a column, and counts the rest as not in the view', () => {
    const rows = new Set(['ns/a[Deployment]', 'ns/b[Deployment]']);
    const cols = new Set(['ns/a[Deployment]', 'ns/b[Deployment]', 'ip:10.0.0.0-10.255.255.255']);
    const shown = marksInView(
      marks,
      (id) => rows.has(id),
      (id) => cols.has(id),
    );
    expect(shown.cells.map((c) => `${c.from} ${c.to} ${c.change}`)).toEqual(['ns/a[Deployment] ns/b[Deployment] gained', 'ns/a[Deployment] ip:10.0.0.0-10.255.255.255 lost']);
    expect(shown.nodes.map((n) => n.id)).toEqual(['ns/b[Deployment]']);
    // The cell from other/x and the node other/x.
    expect(shown.hidden).toBe(2);
    expect(shown.counts).toEqual({ gained: 1, lost: 1, changed: 0, becameUnprotected: 1, becameProtected: 0 });
  });

  it('an external range that is only a column does not show the cells it is the source of', () => {
    const outward = diffMarks(diffOf([connection('ip:10.0.0.0-10.255.255.255', 'ns/a[Deployment]', 'gained', 'all')]), SINCE);
    const shown = marksInView(
      outward,
      (id) => !id.startsWith('ip:'),
      () => true,
    );
    expect(shown.cells).toEqual([]);
    expect(shown.hidden).toBe(1);
  });

  it('changesToDraw: the shown marks by node, or nothing when the highlight is off', () => {
    const shown = marksInView(marks, () => true);
    const drawn = changesToDraw(shown, true)!;
    expect(drawn.cells).toHaveLength(3);
    expect([...drawn.nodes.keys()]).toEqual(['ns/b[Deployment]', 'other/x[Deployment]']);
    expect(changesToDraw(shown, false)).toBeNull();
    expect(changesToDraw(null, true)).toBeNull();
  });
});

describe('marksByGroup', () => {
  it('one mark per pair of namespaces: their change when all agree, else changed, with the counts in words', () => {
    const marks = diffMarks(
      diffOf([
        connection('a/x[Deployment]', 'b/y[Deployment]', 'gained', 'all'),
        connection('a/z[Deployment]', 'b/y[Deployment]', 'gained', [tcp(80)]),
        connection('a/x[Deployment]', 'a/z[Deployment]', 'lost', [], 'all'),
        connection('b/y[Deployment]', 'a/x[Deployment]', 'gained', 'all'),
        connection('b/y[Deployment]', 'a/z[Deployment]', 'lost', [], 'all'),
        connection('b/y[Deployment]', 'a/z2[Deployment]', 'changed', [tcp(80)], []),
        connection('b/y[Deployment]', 'gone/w[Deployment]', 'lost', [], 'all'),
      ]),
      SINCE,
    );
    const groupOf = (id: string) => (id.startsWith('gone/') ? undefined : `ns:${id.split('/')[0]}`);
    expect(marksByGroup([...marks.cells.values()], groupOf, SINCE)).toEqual([
      { from: 'ns:a', to: 'ns:b', change: 'gained', text: `2 gained since ${SINCE_TEXT}`, count: 2 },
      { from: 'ns:a', to: 'ns:a', change: 'lost', text: `1 lost since ${SINCE_TEXT}`, count: 1 },
      { from: 'ns:b', to: 'ns:a', change: 'changed', text: `1 gained, 1 lost, 1 with other ports since ${SINCE_TEXT}`, count: 3 },
    ]);
  });
});

describe('countsText', () => {
  const counts = { gained: 3, lost: 2, changed: 0, becameUnprotected: 0, becameProtected: 0 };

  it('says gained and lost always, other ports and nodes only when there are some', () => {
    expect(countsText(counts, 'workload')).toBe('3 gained, 2 lost');
    expect(countsText({ ...counts, gained: 0, changed: 1 }, 'workload')).toBe('0 gained, 2 lost, 1 with other ports');
    expect(countsText({ ...counts, becameUnprotected: 2, becameProtected: 1 }, 'workload')).toBe('3 gained, 2 lost · 2 workloads with pods now unprotected, 1 now protected');
    expect(countsText({ ...counts, becameProtected: 1 }, 'namespace')).toBe('3 gained, 2 lost · 1 namespace with pods now protected');
  });

  it('at pod level the nodes are the pods', () => {
    expect(countsText({ ...counts, becameUnprotected: 1, becameProtected: 6 }, 'pod')).toBe('3 gained, 2 lost · 1 pod now unprotected, 6 now protected');
  });
});
