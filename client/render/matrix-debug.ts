// A tiny read-only accessor on `window.__trafficMapMatrix` while the Matrix view is shown, for
// real-browser tests and debugging: where a cell or label is on screen, and what it shows. A
// canvas has no DOM per cell, so tests find cells through it (and then click like a user).
import type { ViewLevel } from '../../shared/protocol/view.ts';
import type { ConnectionMark, ProtectionMark } from '../diff-marks.ts';
import type { MatrixCellKind, Rect, Transform } from './matrix-layout.ts';

export interface MatrixDebug {
  level(): ViewLevel | null;
  /** The view state's seq (moves on every applied delta). */
  seq(): number | null;
  /** Row and column node ids, in matrix order. */
  rows(): string[];
  cols(): string[];
  /** The current zoom: cell size `k` (CSS px) and offset. */
  transform(): Transform;
  /**
   * Viewport (client) rectangle of the cell from `from` to `to`, panning it into view first;
   * null when either node is not in the matrix.
   */
  cellRect(from: string, to: string): Rect | null;
  /** Viewport rectangle of a row or column label slot (null when absent). */
  labelRect(axis: 'row' | 'col', id: string): Rect | null;
  /** What the cell shows; null when either node is not in the matrix. */
  kind(from: string, to: string): MatrixCellKind | null;
  /** The last frame: draw time (ms), per-cell or per-pixel painting, frames drawn so far. */
  stats(): { drawMs: number; mode: 'cells' | 'pixels'; frames: number };
  /**
   * The changes highlighted (a comparison with a past instant), as drawn: changed cells, rows of
   * nodes whose pods became unprotected or protected for egress, columns for ingress. Empty when
   * nothing is highlighted.
   */
  changes(): {
    cells: { from: string; to: string; change: ConnectionMark }[];
    rows: { id: string; mark: ProtectionMark }[];
    cols: { id: string; mark: ProtectionMark }[];
  };
}

export const MATRIX_DEBUG_KEY = '__trafficMapMatrix';
