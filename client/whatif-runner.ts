// Runs what-if previews in a Web Worker (the page stays responsive while the engine works); when
// the browser cannot start it, on the page's thread instead, and says so (`mode`).
import type { WhatIfPreview, WhatIfRequest, WhatIfSession } from './whatif.ts';

export type PreviewReply = { id: number; ok: true; preview: WhatIfPreview } | { id: number; ok: false; error: string };

export interface Previewer {
  /** `worker`, or `page` once the worker could not start. */
  readonly mode: 'worker' | 'page';
  run(request: WhatIfRequest): Promise<WhatIfPreview>;
  dispose(): void;
}

export function createPreviewer(): Previewer {
  let worker: Worker | null = null;
  let session: WhatIfSession | null = null;
  let mode: 'worker' | 'page' = 'worker';
  let next = 0;
  const waiting = new Map<number, { resolve: (p: WhatIfPreview) => void; reject: (e: Error) => void; request: WhatIfRequest }>();

  const onPage = async (request: WhatIfRequest): Promise<WhatIfPreview> => {
    if (!session) {
      const { WhatIfSession: Session } = await import('./whatif.ts');
      session ??= new Session();
    }
    return session.run(request);
  };

  /** The worker failed to load (or died): what it had in hand runs on the page. */
  const fallBack = () => {
    mode = 'page';
    worker?.terminate();
    worker = null;
    const pending = [...waiting.values()];
    waiting.clear();
    for (const w of pending) onPage(w.request).then(w.resolve, w.reject);
  };

  try {
    worker = new Worker(new URL('./whatif-worker.ts', import.meta.url), { type: 'module', name: 'what-if' });
    worker.onmessage = (e: MessageEvent<PreviewReply>) => {
      const reply = e.data;
      const w = waiting.get(reply.id);
      if (!w) return;
      waiting.delete(reply.id);
      if (reply.ok) w.resolve(reply.preview);
      else w.reject(new Error(reply.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fallBack();
    };
  } catch {
    mode = 'page';
  }

  return {
    get mode() {
      return mode;
    },
    run(request) {
      if (!worker) return onPage(request);
      const id = ++next;
      return new Promise<WhatIfPreview>((resolve, reject) => {
        waiting.set(id, { resolve, reject, request });
        worker!.postMessage({ id, request });
      });
    },
    dispose() {
      worker?.terminate();
      worker = null;
      for (const w of waiting.values()) w.reject(new Error('the what-if was closed'));
      waiting.clear();
    },
  };
}
