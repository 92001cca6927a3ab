import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../server/sim/selectors.ts';
import { ApiError } from '../../server/sim/status.ts';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'a', n: '5' };

describe('label selectors (labels.Parse grammar)', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db, web)', true],
    ['app in (db)', false],
    ['app notin (db,web)', false],
    ['missing notin (x)', true],
    ['example.com/team', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier in (front,back),!missing', true],
    ['app=web,tier=back', false],
    ['n>4', true],
    ['n<5', false],
    ['app=', false],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('an empty value selects the label with an empty value', () => {
    expect(matchesLabels(parseLabelSelector('x='), { x: '' })).toBe(true);
  });

  it.each(['app in (a', 'app=(b)', '=x', 'a b', 'app in (a,b),', 'bad key!/x'])('%j is a 400 BadRequest', (selector) => {
    let error: unknown;
    try {
      parseLabelSelector(selector);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(400);
  });
});

describe('field selectors', () => {
  const podObj = { metadata: { name: 'a', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };

  it('supports =, == and != on the fields of the resource', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=a', 'pods'), podObj)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name==b', 'pods'), podObj)).toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase!=Succeeded,metadata.namespace=ns', 'pods'), podObj)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.hostNetwork=false', 'pods'), podObj)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name=a', 'namespaces'), { metadata: { name: 'a' } })).toBe(true);
  });

  it('rejects fields the resource does not support (status.phase is for pods only)', () => {
    expect(() => parseFieldSelector('status.phase=Running', 'networkpolicies')).toThrow(/field label not supported: status.phase/);
    expect(() => parseFieldSelector('metadata.name', 'pods')).toThrow(ApiError);
  });
});
