// A worker thread that prepares past instants (decoding, the loader's pass) while the main thread
// does other work: a diff of two instants rebuilds one here and one there at the same time. The
// thread starts on first use and is stopped with `close`; a thread that fails is replaced.
import { Worker } from 'node:worker_threads';
import type { PreparedEngine } from './object-set.ts';
import type { StoredInstant } from './rebuild.ts';

interface Waiting {
  resolve: (p: PreparedEngine) => void;
  reject: (e: Error) => void;
}

export class InstantPreparer {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, Waiting>();

  prepare(stored: StoredInstant): Promise<PreparedEngine> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, stored });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('the history is closed'));
    if (worker) await worker.terminate();
  }

  /** Starts the thread (idle, it keeps no process alive). */
  start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./prepare-worker.js', import.meta.url));
    worker.on('message', (m: { id: number; prepared?: PreparedEngine; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      // An idle thread does not keep the process alive.
      if (this.waiting.size === 0) worker.unref();
      if (!w) return;
      if (m.prepared) w.resolve(m.prepared);
      else w.reject(new Error(`history: preparing an instant failed: ${m.error ?? 'unknown error'}`));
    });
    const lost = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.fail(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`history: the preparing thread stopped (exit code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private fail(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
