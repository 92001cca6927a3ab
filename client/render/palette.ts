// Colors and cell classes. Colors are color-blind safe (Okabe–Ito hues, told apart by lightness
// too) and every meaning has a second cue (pattern, outline, icon), never color alone.
import type { PortsJSON, ViewCell } from '../../shared/protocol/view.ts';

export type Theme = 'light' | 'dark';

/** What a matrix cell says: every port, some ports, nothing, or unknown (policies not known). */
export type CellKind = 'all' | 'some' | 'none' | 'unknown';

/** A grouped cell, a pod-level port set, or nothing. */
export function cellKind(cell: ViewCell | PortsJSON | undefined, unknown = false): CellKind {
  if (unknown) return 'unknown';
  if (cell === undefined) return 'none';
  const ports = typeof cell === 'string' || Array.isArray(cell) ? cell : cell.ports;
  if (ports === 'all') return 'all';
  return ports.length === 0 ? 'none' : 'some';
}

/** Share of a grouped cell's pod pairs that allow something (1 for pod-level cells). */
export function cellCoverage(cell: ViewCell | PortsJSON | undefined): number {
  if (cell === undefined) return 0;
  if (typeof cell === 'string' || Array.isArray(cell)) return 1;
  return cell.total === 0 ? 0 : cell.allowed / cell.total;
}

export interface Palette {
  background: string;
  surface: string;
  text: string;
  muted: string;
  grid: string;
  cell: Record<CellKind, string>;
  /** Unprotected pods and rows: outline and marker color. */
  unprotected: string;
  protected: string;
  focus: string;
  external: string;
  /**
   * Marks of a comparison with a past instant (time travel's "What changed since"): connections
   * gained, lost and with other ports. Each also has its own line style and glyph (+ − ±).
   */
  change: { gained: string; lost: string; changed: string };
}

export const PALETTES: Record<Theme, Palette> = {
  light: {
    background: '#ffffff',
    surface: '#f4f5f7',
    text: '#1b1f24',
    muted: '#5b6470',
    grid: '#e3e6ea',
    cell: { all: '#c0392b', some: '#e69f00', none: '#f4f5f7', unknown: '#9aa3ad' },
    unprotected: '#c0392b',
    protected: '#0072b2',
    focus: '#7b3fb5',
    external: '#56606b',
    change: { gained: '#007d5c', lost: '#1b1f24', changed: '#0072b2' },
  },
  dark: {
    background: '#14171b',
    surface: '#1d2127',
    text: '#e7eaee',
    muted: '#9aa3ad',
    grid: '#2a3038',
    cell: { all: '#ff6b57', some: '#f0b429', none: '#1d2127', unknown: '#59626d' },
    unprotected: '#ff6b57',
    protected: '#56b4e9',
    focus: '#c39bf0',
    external: '#8b95a1',
    change: { gained: '#3ddc97', lost: '#f4f6f8', changed: '#56b4e9' },
  },
};

export const CELL_LABELS: Record<CellKind, string> = {
  all: 'every port allowed',
  some: 'some ports allowed',
  none: 'nothing allowed',
  unknown: 'unknown (policies not known)',
};

/** `TCP 80,443 UDP 53`, `all ports`, or `nothing`. */
export function portsText(ports: PortsJSON | undefined): string {
  if (ports === undefined) return 'nothing';
  if (ports === 'all') return 'all ports';
  if (ports.length === 0) return 'nothing';
  const byProtocol = new Map<string, string[]>();
  for (const r of ports) {
    const list = byProtocol.get(r.protocol) ?? [];
    list.push(r.port === r.endPort ? `${r.port}` : r.port === 1 && r.endPort === 65535 ? 'all' : `${r.port}-${r.endPort}`);
    byProtocol.set(r.protocol, list);
  }
  return [...byProtocol].map(([p, list]) => `${p} ${list.join(',')}`).join(' ');
}
