// The export builders: CSV rows equal the view's cells (pod level: expanded pod pairs), the SVG
// documents carry the stamp (source, time, filters, level) and one element per node, file names.
import { describe, expect, it } from 'vitest';
import { allowedText } from '../../shared/matrix/report.ts';
import { cellKey, cellOf, type ViewState } from '../../shared/protocol/view.ts';
import { PALETTES } from '../../client/render/palette.ts';
import { graphModel, layoutGraph } from '../../client/render/graph-layout.ts';
import { exportFileName, fileTimestamp, filtersSlug, filtersText, jsonFileName, stampLines, type ExportStamp } from '../../client/render/export-meta.ts';
import { csvComment, viewCsv } from '../../client/render/export-csv.ts';
import { exportGraphSvg, exportMatrixSvg, MATRIX_CAP } from '../../client/render/export-svg.ts';
import { parseCsv } from '../support/csv.ts';
import { shopWorkloads, tcp, unprotected, viewNode, viewState } from '../support/view-states.ts';

const stamp = (state: ViewState, extra: Partial<ExportStamp> = {}): ExportStamp => ({
  source: 'context "prod-eu-1" (https://10.0.0.1:6443)',
  view: state.view,
  at: state.at,
  seq: state.seq,
  exportedAt: '2025-06-02T10:05:09.000Z',
  ...extra,
});


const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('CSV export', () => {
  it('has a comment line with source, level, filters and times, the header, then one row per cell', () => {
    const st = shopWorkloads();
    const csv = viewCsv(st, stamp(st));
    const [comment, header, ...rows] = csv.trimEnd().split('\n');
    expect(comment).toBe(
      '# Traffic Map view export; source: context "prod-eu-1" (https://10.0.0.1:6443); level: workload; filters: none; state at 2025-06-02T10:00:00.000Z (seq 7); exported 2025-06-02T10:05:09.000Z',
    );
    expect(header).toBe('from,to,ports,allowed_pairs,total_pairs');
    const parsed = parseCsv(rows.join('\n'));
    expect(parsed).toHaveLength(st.cells.size);
    const seen = new Set<string>();
    for (const [from, to, ports, allowed, total] of parsed) {
      const cell = st.cells.get(cellKey(from!, to!));
      expect(cell, `${from} -> ${to}`).toBeDefined();
      expect(ports).toBe(allowedText(cell!.ports));
      expect([Number(allowed), Number(total)]).toEqual([cell!.allowed, cell!.total]);
      seen.add(cellKey(from!, to!));
    }
    expect(seen.size).toBe(st.cells.size);
    // View order: sources by id, externals last.
    expect(parsed.map((r) => r[0])).toEqual([...parsed.map((r) => r[0]!)].sort((a, b) => Number(a.startsWith('ip:')) - Number(b.startsWith('ip:')) || (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('names the filters in the comment line', () => {
    const st = viewState('pod', [viewNode('prod/a')], [], [], { namespaces: ['prod', 'staging'], labels: 'app=web', port: { protocol: 'TCP', port: 5432 }, unprotectedOnly: true });
    expect(csvComment(stamp(st))).toContain('filters: namespaces prod, staging; labels app=web; port 5432/TCP; only unprotected pods;');
  });

  it('expands the pod level to pod pairs, equal to cellOf over every pair', () => {
    const nodes = [
      viewNode('prod/a-1', { row: 0, col: 0 }),
      viewNode('prod/a-2', { row: 0, col: 0 }),
      viewNode('prod/db-0', { row: 1, col: 1 }),
      viewNode('staging/x', { row: 2, col: 2, ...unprotected() }),
      viewNode('ip:0.0.0.0-9.255.255.255', { row: 16777216, col: 16777216 }),
    ];
    const st = viewState('pod', nodes, [], [
      [0, 0, tcp(8080)], // a-1 <-> a-2 (not to themselves)
      [0, 1, tcp(5432)],
      [2, 0, 'all'],
      [2, 1, []], // an empty set: nothing allowed
      [2, 16777216, 'all'],
      [16777216, 2, tcp(80, 443)],
    ]);
    const rows = parseCsv(viewCsv(st, stamp(st)).split('\n').slice(2).join('\n'));
    const expected: string[][] = [];
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        const c = cellOf(st, a, b) ?? st.keyCells.get(`${a.row}\t${b.col}`);
        const ports = c === undefined ? undefined : typeof c === 'string' || Array.isArray(c) ? c : c.ports;
        if (ports === undefined || (ports !== 'all' && ports.length === 0)) continue;
        expected.push([a.id, b.id, allowedText(ports), '1', '1']);
      }
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(2 + 2 + 2 + 1 + 1);
    expect(rows).toContainEqual(['ip:0.0.0.0-9.255.255.255', 'staging/x', 'TCP 80,443', '1', '1']);
  });

  it('quotes fields that need it', () => {
    const st = viewState('namespace', [viewNode('a'), viewNode('b')], [['a', 'b', { ports: tcp(80, 443), allowed: 1, total: 2 }]]);
    const csv = viewCsv(st, stamp(st, { source: 'a,b\n"c"' }));
    expect(csv.split('\n')[0]).toContain('source: a,b "c";');
    expect(csv.split('\n')[2]).toBe('a,b,"TCP 80,443",1,2');
  });
});

describe('SVG export', () => {
  it('graph: the stamp (source, time, level, filters, focus) and one node element per node', () => {
    const st = shopWorkloads();
    const m = graphModel(st);
    const l = layoutGraph(m);
    const s = stamp(st, { picture: 'graph', focus: 'prod/checkout[Deployment]' });
    const doc = exportGraphSvg(l, m.edges, { palette: PALETTES.light, focus: 'prod/checkout[Deployment]', neighborhood: new Set(['prod/checkout[Deployment]']) }, s);
    const svg = doc.svg;
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain(`width="${doc.width}" height="${doc.height}"`);
    expect(svg).toContain('context &quot;prod-eu-1&quot; (https://10.0.0.1:6443)');
    expect(svg).toContain('2025-06-02T10:00:00.000Z (seq 7)');
    expect(svg).toContain('exported 2025-06-02T10:05:09.000Z');
    expect(svg).toContain('Graph of allowed connections · workload level');
    expect(svg).toContain('Filters: none · focus: prod/checkout[Deployment]');
    expect(count(svg, /<g class="node /g)).toBe(st.nodes.size);
    for (const id of st.nodes.keys()) expect(count(svg, new RegExp(`data-id="${id.replace(/[[\]./]/g, '\\$&')}"`, 'g')), id).toBe(1);
    expect(count(svg, /<path class="edge"/g)).toBe(st.cells.size);
    // Unprotected nodes: dashed outline and a warning glyph; externals are diamonds.
    expect(count(svg, /data-unprotected="true"/g)).toBe(2);
    expect(count(svg, /data-kind="external"[^>]*>/g)).toBe(2);
    // No inline styles (CSP) and no scripts.
    expect(svg).not.toMatch(/style=|<script/);
    // Balanced elements (a cheap well-formedness check; the e2e test parses it in a browser).
    expect(count(svg, /<g[\s>]/g)).toBe(count(svg, /<\/g>/g));
    expect(count(svg, /<text[\s>]/g)).toBe(count(svg, /<\/text>/g));
  });

  it('matrix: the stamp, one row label per node, cells as in the view, a note when capped', () => {
    const st = shopWorkloads();
    const doc = exportMatrixSvg(st, PALETTES.dark, stamp(st, { picture: 'matrix' }));
    expect(doc.svg).toContain('Matrix of allowed connections · workload level');
    expect(doc.svg).toContain('context &quot;prod-eu-1&quot;');
    expect(count(doc.svg, /class="row-label"/g)).toBe(st.nodes.size);
    expect(count(doc.svg, /class="col-label"/g)).toBe(st.nodes.size);
    expect(doc.svg).toContain('>staging/frontend</text>');
    // One titled cell per non-empty cell (cells are big enough for titles here).
    expect(count(doc.svg, /<rect class="cell"/g)).toBe(st.cells.size);
    expect(doc.svg).toContain('<title>prod/checkout[Deployment] → prod/postgres[StatefulSet]: TCP 5432 (4/4 pod pairs)</title>');
    expect(doc.svg).toContain(`fill="${PALETTES.dark.background}"`);

    const many = viewState(
      'namespace',
      Array.from({ length: MATRIX_CAP + 20 }, (_, i) => viewNode(`ns-${String(i).padStart(3, '0')}`)),
      [['ns-000', 'ns-001', { ports: 'all', allowed: 1, total: 1 }]],
    );
    const capped = exportMatrixSvg(many, PALETTES.light, stamp(many, { picture: 'matrix' }));
    expect(capped.svg).toContain(`Showing the first ${MATRIX_CAP} of ${MATRIX_CAP + 20} nodes`);
    expect(count(capped.svg, /<rect class="cell"/g)).toBe(1);
  });
});

describe('names and stamps', () => {
  it('file names: traffic-map-<level>-<YYYYMMDD-HHMMSS>.<ext>, in UTC', () => {
    const d = new Date('2025-06-02T09:04:05.678Z');
    expect(fileTimestamp(d)).toBe('20250602-090405');
    expect(exportFileName('workload', d, 'png')).toBe('traffic-map-workload-20250602-090405.png');
    expect(exportFileName('pod', d, 'csv')).toBe('traffic-map-pod-20250602-090405.csv');
  });

  it('the JSON file name says the document is unfiltered and which filters the view had', () => {
    const d = new Date('2025-06-02T09:04:05Z');
    expect(jsonFileName({ level: 'namespace', namespaces: 'all' }, d)).toBe('traffic-map-namespace-20250602-090405.json');
    const view = { level: 'workload' as const, namespaces: ['prod', 'staging'], labels: 'app in (web,api)', port: { protocol: 'TCP' as const, port: 5432 }, unprotectedOnly: true };
    expect(filtersSlug(view)).toBe('ns-prod+staging_labels-app-in-web-api_port-5432-TCP_unprotected');
    expect(jsonFileName(view, d)).toBe('traffic-map-workload-20250602-090405-unfiltered-view-was-ns-prod+staging_labels-app-in-web-api_port-5432-TCP_unprotected.json');
    expect(filtersText({ level: 'pod', namespaces: 'all' })).toBe('none');
  });

  it('stamp lines carry every part of the stamp', () => {
    const st = shopWorkloads();
    const lines = stampLines(stamp(st, { picture: 'matrix', note: 'capped' }));
    expect(lines).toEqual([
      'Matrix of allowed connections · workload level',
      'Source: context "prod-eu-1" (https://10.0.0.1:6443)',
      'Filters: none',
      'State at 2025-06-02T10:00:00.000Z (seq 7) · exported 2025-06-02T10:05:09.000Z',
      'capped',
    ]);
  });
});
