import { describe, expect, it } from 'vitest';
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from '../../server/sim/patch.ts';
import { ApiError } from '../../server/sim/status.ts';

describe('JSON merge patch (RFC 7386, appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not change its input', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('strategic merge patch', () => {
  const pod = {
    metadata: { labels: { a: '1' }, finalizers: ['x', 'y'] },
    spec: {
      containers: [
        { name: 'app', image: 'app:1', ports: [{ containerPort: 80, name: 'http' }] },
        { name: 'sidecar', image: 'side:1' },
      ],
    },
  };

  it('merges Pod lists by their merge key and drops $ directives', () => {
    const out = strategicMergePatch(
      pod,
      {
        $setElementOrder: {},
        metadata: { labels: { b: '2' } },
        spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ name: 'app', image: 'app:2' }] },
      },
      true,
    );
    expect(out).toEqual({
      metadata: { labels: { a: '1', b: '2' }, finalizers: ['x', 'y'] },
      spec: { containers: [{ name: 'app', image: 'app:2', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'sidecar', image: 'side:1' }] },
    });
  });

  it('honours $patch: delete in a merged list and $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch(
      pod,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] }, spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } },
      true,
    ) as typeof pod;
    expect(out.metadata.finalizers).toEqual(['y']);
    expect(out.spec.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('replaces lists without a merge key whole (NetworkPolicy rules), as Kubernetes does', () => {
    const np = { spec: { ingress: [{ ports: [{ port: 80 }] }, { ports: [{ port: 81 }] }] } };
    expect(applyPatch('application/strategic-merge-patch+json', np, { spec: { ingress: [{ ports: [{ port: 443 }] }] } }, 'NetworkPolicy')).toEqual({
      spec: { ingress: [{ ports: [{ port: 443 }] }] },
    });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { a: { b: [1, 2] }, c: 'x' };

  it('add, remove, replace, move, copy, test', () => {
    expect(
      jsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'add', path: '/a/b/0', value: 0 },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'copy', from: '/c', path: '/d' },
        { op: 'move', from: '/d', path: '/e' },
        { op: 'remove', path: '/a/b/1' },
        { op: 'test', path: '/e', value: 'y' },
      ]),
    ).toEqual({ a: { b: [0, 2, 3] }, c: 'y', e: 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
  });

  it('fails a failed test, a missing path and an unknown op', () => {
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/c', value: 'nope' }])).toThrow(ApiError);
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/missing/x', value: 1 }])).toThrow(/missing path/);
    expect(() => jsonPatch(doc, [{ op: 'frobnicate', path: '/c' }])).toThrow(/unknown JSON patch operation/);
  });

  it('an unknown patch content type is 415', () => {
    try {
      applyPatch('application/apply-patch+yaml', {}, {}, 'Pod');
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).code).toBe(415);
    }
  });
});
