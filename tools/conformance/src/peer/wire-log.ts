import { printable, toHex } from '../wire/bytes.js';

/** One line of a case's wire log: bytes sent (tx), received (rx), or a note. */
export interface WireLogEntry {
  /** Milliseconds since the case started. */
  readonly t: number;
  readonly dir: 'tx' | 'rx' | 'note';
  /** Total byte count of the chunk (tx/rx). */
  readonly length?: number;
  /** The first bytes in hex. */
  readonly hex?: string;
  /** The first bytes as escaped ASCII. */
  readonly text?: string;
  readonly note?: string;
}

const MAX_ENTRIES = 400;
const SHOWN_BYTES = 48;

/** A bounded log of what went over the wire in one case. */
export class WireLog {
  readonly entries: WireLogEntry[] = [];
  readonly #start = performance.now();
  #dropped = 0;

  get elapsed(): number {
    return Math.round(performance.now() - this.#start);
  }

  bytes(dir: 'tx' | 'rx', bytes: Uint8Array): void {
    if (!this.#room()) return;
    this.entries.push({
      t: this.elapsed,
      dir,
      length: bytes.length,
      hex: toHex(bytes, SHOWN_BYTES),
      text: printable(bytes, SHOWN_BYTES),
    });
  }

  note(note: string): void {
    if (!this.#room()) return;
    this.entries.push({ t: this.elapsed, dir: 'note', note });
  }

  /** The entries, with a last note saying how many were left out. */
  snapshot(): WireLogEntry[] {
    if (this.#dropped === 0) return [...this.entries];
    return [
      ...this.entries,
      { t: this.elapsed, dir: 'note', note: `${this.#dropped} more wire events not logged` },
    ];
  }

  #room(): boolean {
    if (this.entries.length < MAX_ENTRIES) return true;
    this.#dropped++;
    return false;
  }
}
