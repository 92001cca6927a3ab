// A policy's content as written, as text (`source`, the file it was read from, left out): equal
// texts are equal policies. Made once per policy object: a diff asks up to three times (whether
// one side's analysis can be derived from the other's, which policies changed, and the signatures
// that skip the rows and columns no changed policy touches).
const texts = new WeakMap<object, string>();

export function policyText(policy: object): string {
  let text = texts.get(policy);
  if (text === undefined) {
    const { source: _, ...content } = policy as { source?: string };
    text = JSON.stringify(content);
    texts.set(policy, text);
  }
  return text;
}
