/** Number formatting shared by the table, the markdown and the charts. */

/** 872726 → `872.7k`, 4715988 → `4.72M`, 152 → `152`. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 1 : 2)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  return value.toFixed(abs >= 100 ? 0 : 1);
}

/** A value in its metric's unit, short. */
export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms':
      return `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
    case 'B':
      // kB = 1000 bytes.
      return `${(value / 1000).toFixed(2)} kB`;
    case 'µs':
      return `${value.toFixed(value >= 100 ? 0 : 2)} µs`;
    case 'MB/s':
      return `${value.toFixed(value >= 100 ? 0 : 1)} MB/s`;
    default:
      return `${formatCount(value)}${unit === '/s' ? '/s' : ` ${unit}`}`;
  }
}

/** 5.7433 → `5.74×`. */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(value >= 10 ? 1 : 2)}×`;
}
