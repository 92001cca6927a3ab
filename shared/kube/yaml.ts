// Manifest text (YAML, several documents, or JSON) -> raw objects. A document that does not parse
// becomes an error diagnostic; the other documents of the file are still returned.
import { parseAllDocuments } from 'yaml';
import type { YAMLError } from 'yaml';
import type { Diagnostic } from '../model/types.ts';
import { makeDiagnostic } from './issues.ts';
import type { SourceObject } from './source-object.ts';

export type { SourceObject } from './source-object.ts';

/** The first line of the yaml library's message, which already says `at line L, column C`. */
function describeError(error: YAMLError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  const message = first.replace(/:\s*$/, '');
  const pos = error.linePos?.[0];
  return pos && !/ at line \d+/.test(message) ? `${message} at line ${pos.line}, column ${pos.col}` : message;
}

export function parseManifestText(text: string, file: string): { objects: SourceObject[]; diagnostics: Diagnostic[] } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const objects: SourceObject[] = [];
  const diagnostics: Diagnostic[] = [];

  // JSON is YAML too, but JSON.parse is much faster on big `kubectl get -o json` dumps; on failure
  // the YAML parser takes over and reports where the problem is.
  if (/^\s*[{[]/.test(source)) {
    try {
      const value: unknown = JSON.parse(source);
      if (value !== null) objects.push({ file, object: value });
      return { objects, diagnostics };
    } catch {
      // not plain JSON: fall through
    }
  }

  const docs = parseAllDocuments(source);
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? ` (document ${i + 1})` : '';
    const [firstError] = doc.errors;
    if (firstError) {
      // Later errors are mostly consequences of the first one.
      const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more problems)` : '';
      const message = `YAML${where}: ${describeError(firstError)}${more}; this document is ignored`;
      diagnostics.push(makeDiagnostic('error', file, undefined, undefined, message));
      return;
    }
    for (const warning of doc.warnings) {
      diagnostics.push(makeDiagnostic('warning', file, undefined, undefined, `YAML${where}: ${describeError(warning)}`));
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      // e.g. too many alias expansions (a "billion laughs" document)
      diagnostics.push(makeDiagnostic('error', file, undefined, undefined, `YAML${where}: ${(err as Error).message}`));
      return;
    }
    if (value !== null && value !== undefined) objects.push({ file, object: value });
  });
  return { objects, diagnostics };
}
