/** Line width of the repository's formatter (biome.json). */
const WIDTH = 100;

/** Rounds to 6 significant digits: measurements carry no more, and the file stays readable. */
function round(n: number): number {
  if (!Number.isFinite(n) || Number.isInteger(n)) return n;
  return Number(n.toPrecision(6));
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return JSON.stringify(round(v)) ?? 'null';
  return JSON.stringify(v) ?? 'null';
}

function format(value: unknown, indent: string, prefix: number): string {
  if (isPrimitive(value)) return scalar(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) {
      const line = `[${value.map(scalar).join(', ')}]`;
      // One line when it fits, as the repository's formatter prints it.
      if (prefix + line.length + 1 <= WIDTH) return line;
    }
    if (value.every((v) => typeof v === 'number')) {
      // Numbers fill the lines (as many per line as fit), the way the formatter prints them.
      const lines: string[] = [];
      let line = '';
      for (const v of value) {
        const item = scalar(v);
        const next = line === '' ? item : `${line}, ${item}`;
        if (line !== '' && inner.length + next.length + 1 > WIDTH) {
          lines.push(line);
          line = item;
        } else {
          line = next;
        }
      }
      lines.push(line);
      return `[\n${lines.map((l) => `${inner}${l}`).join(',\n')}\n${indent}]`;
    }
    return `[\n${value.map((v) => `${inner}${format(v, inner, inner.length)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${format(v, inner, inner.length + key.length)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/**
 * JSON as the repository's formatter (biome) prints it — objects expanded, arrays of scalars on
 * one line when they fit in 100 columns, longer arrays of numbers filling their lines — with numbers rounded to 6 significant digits, so
 * committed result files pass `biome check` as written.
 */
export function formatJson(value: unknown): string {
  return `${format(value, '', 0)}\n`;
}
