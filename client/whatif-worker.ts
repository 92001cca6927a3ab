// The what-if's Web Worker: analyzes the cluster and the cluster with the draft off the page's
// thread (a large cluster takes seconds), keeping the analyses for the next request.
import { WhatIfSession, type WhatIfRequest } from './whatif.ts';
import type { PreviewReply } from './whatif-runner.ts';

const session = new WhatIfSession();
// A dedicated worker's global scope; the DOM typings describe a window's.
const scope = self as unknown as { onmessage: ((e: MessageEvent<{ id: number; request: WhatIfRequest }>) => void) | null; postMessage(reply: PreviewReply): void };

scope.onmessage = (e) => {
  const { id, request } = e.data;
  try {
    scope.postMessage({ id, ok: true, preview: session.run(request) });
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
