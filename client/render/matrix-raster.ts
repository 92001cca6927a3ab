// Sub-pixel painting of the matrix: each output pixel gets the strongest kind (all > some >
// unknown > none) among the cells it covers. Works on keys, not nodes: for each pixel row the
// distinct row keys under it are folded into a profile over column keys (reused while the next
// pixel row has the same keys), then each pixel folds the profile over its distinct column keys.
// Cost ~ pixelRows × rowKeysPerPixel × columnKeys + pixels × columnKeysPerPixel, whatever the
// number of pods. Pure (typed arrays in, typed array out), so it is benchmarked in Node.
import { KIND_UNKNOWN, type MatrixModel, type Rect, type Transform } from './matrix-layout.ts';

/**
 * Paints `area` (canvas CSS pixels, inside the matrix) at W × H output pixels into `out` (one
 * RGBA word per pixel, from `lut` indexed by kind code 0-3).
 */
export function rasterize(m: MatrixModel, t: Transform, area: Rect, W: number, H: number, lut: Uint32Array, out: Uint32Array): void {
  const { x: tx, y: ty, k } = t;
  const rowsN = m.axes.rows.nodes.length;
  const colsN = m.axes.cols.nodes.length;
  const C = m.keyCols;
  const dense = m.dense;
  const sparse = m.sparse;
  const rowKey = m.rowKey;
  const colKey = m.colKey;
  const rowUnknown = m.rowUnknown;
  const colUnknown = m.colUnknown;
  const anyUnknown = rowUnknown.includes(1) || colUnknown.includes(1);
  const stepX = area.width / W;
  const stepY = area.height / H;

  // The distinct column keys under each output column, flattened; and every key used.
  const colOff = new Int32Array(W + 1);
  let keys = new Int32Array(Math.max(64, W * 2));
  let nKeys = 0;
  const used = new Uint8Array(C);
  const usedList = new Int32Array(C);
  let nUsed = 0;
  for (let i = 0; i < W; i++) {
    colOff[i] = nKeys;
    const a = Math.max(0, Math.floor((area.x + i * stepX - tx) / k));
    const b = Math.min(colsN, Math.max(a + 1, Math.ceil((area.x + (i + 1) * stepX - tx) / k)));
    const first = nKeys;
    for (let c = a; c < b; c++) {
      const ck = colKey[c]!;
      // Runs of equal keys are the common case: compare with the last one first.
      if (nKeys > first && keys[nKeys - 1] === ck) continue;
      let dup = false;
      for (let j = first; j < nKeys; j++) {
        if (keys[j] === ck) {
          dup = true;
          break;
        }
      }
      if (dup) continue;
      if (nKeys === keys.length) {
        const grown = new Int32Array(keys.length * 2);
        grown.set(keys);
        keys = grown;
      }
      keys[nKeys++] = ck;
      if (!used[ck]) {
        used[ck] = 1;
        usedList[nUsed++] = ck;
      }
    }
  }
  colOff[W] = nKeys;

  const profile = new Uint8Array(C);
  const maxRows = Math.ceil(rowsN / Math.max(1, H)) + Math.ceil(stepY / k) + 2;
  const rowKeys = new Int32Array(Math.max(16, maxRows));
  const prevKeys = new Int32Array(rowKeys.length);
  let nPrev = -1;
  for (let j = 0; j < H; j++) {
    const a = Math.max(0, Math.floor((area.y + j * stepY - ty) / k));
    const b = Math.min(rowsN, Math.max(a + 1, Math.ceil((area.y + (j + 1) * stepY - ty) / k)));
    let n = 0;
    for (let r = a; r < b && n < rowKeys.length; r++) {
      const rk = rowKey[r]!;
      if (n > 0 && rowKeys[n - 1] === rk) continue;
      let dup = false;
      for (let q = 0; q < n; q++) {
        if (rowKeys[q] === rk) {
          dup = true;
          break;
        }
      }
      if (!dup) rowKeys[n++] = rk;
    }
    let changed = n !== nPrev;
    for (let q = 0; !changed && q < n; q++) if (rowKeys[q] !== prevKeys[q]) changed = true;
    if (changed) {
      prevKeys.set(rowKeys.subarray(0, n));
      nPrev = n;
      if (n === 1 && dense && !anyUnknown) {
        const base = rowKeys[0]! * C;
        for (let u = 0; u < nUsed; u++) {
          const ck = usedList[u]!;
          profile[ck] = dense[base + ck]!;
        }
      } else {
        for (let u = 0; u < nUsed; u++) {
          const ck = usedList[u]!;
          let v = 0;
          for (let q = 0; q < n; q++) {
            const rk = rowKeys[q]!;
            const kind = anyUnknown && (rowUnknown[rk] || colUnknown[ck]) ? KIND_UNKNOWN : dense ? dense[rk * C + ck]! : (sparse!.get(rk * C + ck) ?? 0);
            if (kind > v) v = kind;
          }
          profile[ck] = v;
        }
      }
    }
    let p = j * W;
    for (let i = 0; i < W; i++) {
      let v = 0;
      const end = colOff[i + 1]!;
      for (let q = colOff[i]!; q < end; q++) {
        const kind = profile[keys[q]!]!;
        if (kind > v) v = kind;
      }
      out[p++] = lut[v]!;
    }
  }
}
