/**
 * The one order of ids everywhere (plain code-unit order, like `sort` in kubectl's output):
 * offline and live must sort pods, policies and workloads identically to give identical answers.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
