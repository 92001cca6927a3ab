import type { Diagnostic } from '../model/types.ts';

/**
 * Collects the diagnostics about one object. Any error means the object is left out of the
 * cluster; warnings leave it in.
 */
export class Issues {
  readonly diagnostics: Diagnostic[] = [];
  private errors = 0;

  constructor(
    readonly file: string | undefined,
    /** e.g. `NetworkPolicy prod/bad` */
    readonly object: string,
  ) {}

  error(field: string | undefined, message: string): void {
    this.errors++;
    this.diagnostics.push(makeDiagnostic('error', this.file, this.object, field, message));
  }

  warn(field: string | undefined, message: string): void {
    this.diagnostics.push(makeDiagnostic('warning', this.file, this.object, field, message));
  }

  get failed(): boolean {
    return this.errors > 0;
  }
}

/** A diagnostic without the optional keys that are unknown (so results compare cleanly). */
export function makeDiagnostic(
  severity: Diagnostic['severity'],
  file: string | undefined,
  object: string | undefined,
  field: string | undefined,
  message: string,
): Diagnostic {
  const d: Diagnostic = { severity, message };
  if (file !== undefined) d.file = file;
  if (object !== undefined) d.object = object;
  if (field !== undefined && field !== '') d.field = field;
  return d;
}
