import { describe, expect, it } from 'vitest';
import { echoWindow, formatSize, median, quantileSorted } from '../src/index.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(Number.isNaN(median([]))).toBe(true);
  });
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('quantileSorted (nearest rank)', () => {
  const values = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
  it('gives p50, p99 and p99.9 of 1..1000', () => {
    expect(quantileSorted(values, 0.5)).toBe(500);
    expect(quantileSorted(values, 0.99)).toBe(990);
    expect(quantileSorted(values, 0.999)).toBe(999);
    expect(quantileSorted(values, 1)).toBe(1000);
    expect(quantileSorted(values, 0)).toBe(1);
  });
  it('is NaN for no samples', () => {
    expect(Number.isNaN(quantileSorted([], 0.5))).toBe(true);
  });
});

describe('echo windows and sizes', () => {
  it('keeps 64 small messages in flight and at least one large one', () => {
    expect(echoWindow(32, 256)).toBe(64);
    expect(echoWindow(1024, 256)).toBe(16);
    expect(echoWindow(1024 * 1024, 1)).toBe(4);
    expect(echoWindow(1024 * 1024, 256)).toBe(1);
  });
  it('names sizes as the issue does', () => {
    expect([32, 1024, 65536, 1048576].map(formatSize)).toEqual(['32B', '1KiB', '64KiB', '1MiB']);
  });
});
