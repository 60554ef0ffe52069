import { describe, expect, it } from 'vitest';
import {
  ALL_CASES,
  caseModes,
  compareIds,
  idMatches,
  SECTIONS,
  sectionOf,
  selectCases,
} from '../../src/index.js';

describe('the case registry', () => {
  it('has unique ids, in order, each in a known section, with a draft reference and an expectation', () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort(compareIds)).toEqual(ids);
    for (const c of ALL_CASES) {
      expect(SECTIONS[sectionOf(c.id)], c.id).toBeDefined();
      expect(c.draft.length, c.id).toBeGreaterThan(0);
      expect(c.expectation.length, c.id).toBeGreaterThan(0);
    }
  });

  it('keeps Autobahn numbers where sections carry over and new ones for the draft-02 handshake', () => {
    const sections = [...new Set(ALL_CASES.map((c) => sectionOf(c.id)))];
    expect(sections).toEqual(['1', '2', '3', '4', '5', '6', '7', '9', '10', '14', '15', '16']);
    expect(
      ALL_CASES.filter((c) => sectionOf(c.id) === '15').every(
        (c) => caseModes(c).join() === 'server',
      ),
    ).toBe(true);
    expect(
      ALL_CASES.filter((c) => sectionOf(c.id) === '16').every(
        (c) => caseModes(c).join() === 'client',
      ),
    ).toBe(true);
  });

  it('counts cases per section per mode (the numbers the docs quote)', () => {
    const count = (mode: 'server' | 'client') => {
      const out: Record<string, number> = {};
      for (const c of selectCases(mode)) out[sectionOf(c.id)] = (out[sectionOf(c.id)] ?? 0) + 1;
      return out;
    };
    expect(count('server')).toEqual({
      '1': 28,
      '2': 12,
      '3': 8,
      '4': 12,
      '5': 24,
      '6': 55,
      '7': 16,
      '9': 58,
      '10': 2,
      '14': 8,
      '15': 48,
    });
    expect(count('client')).toEqual({
      '1': 28,
      '2': 12,
      '3': 8,
      '4': 12,
      '5': 24,
      '6': 55,
      '7': 17,
      '9': 58,
      '10': 2,
      '14': 3,
      '16': 55,
    });
  });

  it('selects by patterns, exclusions and quick', () => {
    expect(idMatches('1.1.3', '1.*')).toBe(true);
    expect(idMatches('11.1', '1.*')).toBe(false);
    expect(idMatches('15.2.4', '15.2.4')).toBe(true);
    expect(selectCases('server', { include: ['2.1', '2.10'] }).map((c) => c.id)).toEqual([
      '2.1',
      '2.10',
    ]);
    expect(
      selectCases('server', { include: ['1.*'], exclude: ['1.2.*', '1.3.*'] }).map((c) => c.id),
    ).toEqual(Array.from({ length: 8 }, (_, i) => `1.1.${i + 1}`));
    const quick = selectCases('server', { quick: true }).length;
    expect(quick).toBeLessThan(selectCases('server').length);
    expect(selectCases('server', { include: ['9.1.*'], quick: true }).map((c) => c.id)).toEqual([
      '9.1.1',
      '9.1.2',
      '9.1.3',
      '9.1.4',
    ]);
  });
});
