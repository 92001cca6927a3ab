// The view on screen tells the export menu how to picture itself. The graph registers here (its
// layout, zoom-independent, focus included); a view that does not is exported from its ViewState.
import type { ViewState } from '../../shared/protocol/view.ts';
import type { ExportStamp } from './export-meta.ts';
import type { SvgDocument } from './export-svg.ts';

export interface PictureSource {
  picture: 'graph' | 'matrix';
  viewId: string;
  /** The state the view shows right now. */
  state(): ViewState | null;
  /** The focused node, for the stamp. */
  focus(): string | null;
  /** A standalone stamped SVG document of what the view shows. */
  svg(stamp: ExportStamp): SvgDocument | null;
}

let current: PictureSource | null = null;

export function registerPicture(source: PictureSource): () => void {
  current = source;
  return () => {
    if (current === source) current = null;
  };
}

export function currentPicture(): PictureSource | null {
  return current;
}
