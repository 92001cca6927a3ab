// Long work cut in steps (a generator that yields between them) runs in slices of a few
// milliseconds, with the event loop free in between: sockets, pings and watch events go on.

export interface Slicing<T> {
  /** How long a slice may hold the event loop (ms). Default 10. */
  sliceMs?: number;
  /**
   * The pause after each slice (ms): the work then takes at most sliceMs/(sliceMs+gapMs) of the
   * event loop. Default 0: the next slice comes right after pending I/O.
   */
  gapMs?: number;
  done(value: T): void;
  failed(err: Error): void;
}

/**
 * Runs `steps` slice by slice, the first one at once; calls `done` with its return value (in that
 * first slice when it is short) or `failed`. Returns a cancel function: no further step runs.
 */
export function sliced<T>(steps: Iterator<void, T>, o: Slicing<T>): () => void {
  const sliceMs = o.sliceMs ?? 10;
  const gapMs = o.gapMs ?? 0;
  let cancelled = false;
  let stop = () => {};
  const slice = () => {
    if (cancelled) return;
    const started = performance.now();
    try {
      for (;;) {
        const step = steps.next();
        if (step.done) return o.done(step.value);
        if (performance.now() - started > sliceMs) break;
      }
    } catch (err) {
      return o.failed(err as Error);
    }
    if (gapMs > 0) {
      const pause = setTimeout(slice, gapMs);
      stop = () => clearTimeout(pause);
    } else {
      const next = setImmediate(slice);
      stop = () => clearImmediate(next);
    }
  };
  slice();
  return () => {
    cancelled = true;
    stop();
  };
}

/** `sliced`, as a promise of the return value. */
export function runInSlices<T>(steps: Iterator<void, T>, sliceMs = 10, gapMs = 0): Promise<T> {
  return new Promise<T>((resolve, reject) => void sliced(steps, { sliceMs, gapMs, done: resolve, failed: reject }));
}

/** Runs `steps` to its end at once (tests, tools, and callers that may block). */
export function runToEnd<T>(steps: Iterator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
