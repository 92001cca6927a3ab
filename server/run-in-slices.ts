// Long work cut in steps (a generator that yields between them) runs in slices of a few
// milliseconds, with the event loop free in between: sockets, pings and watch events go on.

/**
 * Runs `steps` to its end, about `sliceMs` at a time; resolves with its return value. With
 * `gapMs`, each slice is followed by that pause (the work then takes at most sliceMs/(sliceMs+gapMs)
 * of the event loop); without, the next slice comes right after pending I/O.
 */
export function runInSlices<T>(steps: Iterator<void, T>, sliceMs = 10, gapMs = 0): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const slice = () => {
      const started = performance.now();
      try {
        for (;;) {
          const step = steps.next();
          if (step.done) return resolve(step.value);
          if (performance.now() - started > sliceMs) return void (gapMs > 0 ? setTimeout(slice, gapMs) : setImmediate(slice));
        }
      } catch (err) {
        reject(err as Error);
      }
    };
    slice();
  });
}

/** Runs `steps` to its end at once (tests, tools, and callers that may block). */
export function runToEnd<T>(steps: Iterator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
