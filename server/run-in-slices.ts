// Long work cut in steps (a generator that yields between them) runs in slices of a few
// milliseconds, with the event loop free in between: sockets, pings and watch events go on.

/** Runs `steps` to its end, about `sliceMs` at a time; resolves with its return value. */
export function runInSlices<T>(steps: Iterator<void, T>, sliceMs = 10): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const slice = () => {
      const started = performance.now();
      try {
        for (;;) {
          const step = steps.next();
          if (step.done) return resolve(step.value);
          if (performance.now() - started > sliceMs) return void setImmediate(slice);
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
