import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/peer/byte-queue.js';
import { MessageJoiner } from '../../src/peer/peer-event.js';
import { fromHex } from '../../src/wire/bytes.js';
import { readFrame } from '../../src/wire/frame-reader.js';

function queue(...hex: string[]): ByteQueue {
  const q = new ByteQueue();
  for (const h of hex) q.push(fromHex(h));
  return q;
}

describe('the lenient frame reader', () => {
  it('reads a frame split anywhere, and waits for the rest', () => {
    const q = queue('04', '7e 00', '05 48 65', '6c 6c');
    expect(readFrame(q, 100)).toBe('need-more');
    q.push(fromHex('6f'));
    const f = readFrame(q, 100);
    expect(f).toMatchObject({ op: 4, more: false, rsv: 0, lengthForm: 16, nonMinimal: true });
    expect((f as { payload: Buffer }).payload.toString()).toBe('Hello');
    expect(q.length).toBe(0);
  });
  it('reports reserved bits, reserved opcodes and the 63-bit top bit instead of refusing them', () => {
    expect(readFrame(queue('c4 80'), 10)).toMatchObject({ rsv: 0b1001, op: 4, more: true });
    expect(readFrame(queue('0b 00'), 10)).toMatchObject({ op: 0xb });
    expect(readFrame(queue('04 7f 80 00 00 00 00 00 00 01 41'), 10)).toMatchObject({
      oversize: 0x8000000000000001n,
    });
  });
  it('does not buffer past the limit: an oversize frame is reported from its header', () => {
    expect(readFrame(queue('05 7f 00 00 00 00 40 00 00 00'), 1024)).toMatchObject({
      oversize: 1n << 30n,
    });
  });
  it('joins fragments and notes the sender violations of 4.2–4.4', () => {
    const j = new MessageJoiner();
    const q = queue('84 03 48 65 6c', '02 00', '00 02 6c 6f', '82 00', '00 00', '44 00');
    const events = [];
    for (;;) {
      const f = readFrame(q, 100);
      if (f === 'need-more' || 'oversize' in f) break;
      const e = j.push(f);
      if (e) events.push(e.type === 'message' ? `message ${e.data.toString()}` : e.type);
    }
    expect(events).toEqual(['ping', 'message Hello', 'ping', 'message ']);
    expect(j.violations).toEqual([
      'sent a control frame (opcode 0x2) with MORE set (4.4: control frames are not fragmented)',
      'sent a continuation frame with no fragmented message open (4.3)',
      'sent a frame (opcode 0x4) with reserved bits 0b1000 set (4.2: must be 0)',
    ]);
  });
});
