// The what-if of this tab: the pasted text, the uploaded files, the policies marked deleted, the
// level compared at, and the last preview. Kept in memory while the user visits other tabs (a
// reload forgets it); never stored, never sent to the server.
import { reactive, shallowRef } from 'vue';
import type { Group } from '../../shared/matrix/matrix.ts';
import type { DraftInput, WhatIfPreview } from '../whatif.ts';

export const PASTED = 'pasted YAML';

export interface WhatIfDraftState {
  pasted: string;
  files: DraftInput[];
  /** Policy ids as `policy:list` names them. */
  deleted: string[];
  group: Group;
}

export const whatIfDraft = reactive<WhatIfDraftState>({ pasted: '', files: [], deleted: [], group: 'workload' });
export const whatIfPreview = shallowRef<WhatIfPreview | null>(null);
/** The draft (inputs and deletions, as `draftKey` writes them) the preview was computed for. */
export const whatIfPreviewedKey = shallowRef<string | null>(null);

/** The draft's inputs as plain data (a worker message cannot carry Vue's proxies). */
export function draftInputs(): DraftInput[] {
  return [{ name: PASTED, text: whatIfDraft.pasted }, ...whatIfDraft.files.map((f) => ({ name: f.name, text: f.text }))];
}

/** Equal drafts give equal keys: a preview is current while the key it was computed for is. */
export function draftKey(): string {
  return JSON.stringify([draftInputs(), [...whatIfDraft.deleted].sort()]);
}
