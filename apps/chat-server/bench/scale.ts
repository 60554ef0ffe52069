// Scale-out benchmark: chat fan-out throughput of the built server (dist/main.js, spawned)
//
//   single   one process, memory adapter (the embedded default)
//   cluster  --workers 2: a primary and two workers joined by the cluster adapter
//   redis1   one process, Redis adapter (what Redis costs on one instance)
//   redis2   two processes on two ports, Redis adapter, the clients split between them
//
// One room of MEMBERS members; SENDERS of them (spread over the instances) post MESSAGES
// messages in all, BATCH per write; every member must receive every message. Reported: wall
// time until the last delivery, deliveries per second, and the CPU time the server processes
// (and redis-server) used, from /proc — on a shared machine the CPU figures are the steadier
// ones. The setups are measured in interleaved rounds (one round of each, then again) so that
// load from elsewhere hits them alike; medians are reported.
//
//   node --import tsx bench/index.ts --scale          quick: 200 members × 4000 messages, 3 rounds
//   node --import tsx bench/index.ts --scale --long   400 members × 10000 messages, 5 rounds
//
// Needs the build (npx tsup) and redis-server on PATH.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnInGroup } from '@ws02/process-group';

const long = process.argv.includes('--long');
const ROUNDS = long ? 5 : 3;

/** A workload: `rooms` rooms of `members` each, `senders` per room posting `messages` in all. */
interface Scenario {
  readonly name: string;
  readonly rooms: number;
  readonly members: number;
  readonly senders: number;
  readonly messages: number;
  /** Posts per write per sender. */
  readonly batch: number;
}

const SCENARIOS: readonly Scenario[] = [
  // Fan-out bound: one message, many deliveries (encode-once broadcast in each process).
  {
    name: 'one big room',
    rooms: 1,
    members: long ? 400 : 200,
    senders: 4,
    messages: long ? 10_000 : 4000,
    batch: 50,
  },
  // Message bound: every member talks in a small room; per-message work (parse, checks, ids,
  // history, cross-instance hop) dominates.
  {
    name: 'many small rooms',
    rooms: long ? 100 : 50,
    members: 5,
    senders: 5,
    messages: long ? 50_000 : 20_000,
    batch: 10,
  },
];
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const HANDSHAKE = Buffer.concat([
  Buffer.from(
    'GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1\r\n' +
      'Origin: http://bench\r\nSec-WebSocket-Draft: 2\r\n' +
      'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n',
  ),
  Buffer.from('^n:ds[4U', 'latin1'),
]);

function textFrame(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length < 126) return Buffer.concat([Buffer.from([4, body.length]), body]);
  const h = Buffer.from([4, 126, 0, 0]);
  h.writeUInt16BE(body.length, 2);
  return Buffer.concat([h, body]);
}

/** A lean member: parses the frames of its set-up, then only counts Text frames. */
class Member {
  frames = 0;
  parsed: Record<string, unknown>[] = [];
  parse = true;
  #buf: Buffer = Buffer.alloc(0);
  #handshaken = false;
  #want = 0;
  #resolve: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }
  static async open(port: number): Promise<Member> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const m = new Member(socket);
    socket.write(HANDSHAKE);
    await m.until(0);
    return m;
  }
  until(n: number): Promise<void> {
    if (this.#handshaken && this.frames >= n) return Promise.resolve();
    this.#want = n;
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  #read(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (!this.#handshaken) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end === -1 || this.#buf.length < end + 20) return;
      this.#buf = this.#buf.subarray(end + 20);
      this.#handshaken = true;
    }
    let b = this.#buf;
    for (;;) {
      if (b.length < 2) break;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        at = 4;
      }
      if (b.length < at + len) break;
      if ((b[0]! & 0x0f) === 4) {
        this.frames++;
        if (this.parse) this.parsed.push(JSON.parse(b.subarray(at, at + len).toString('utf8')));
      }
      b = b.subarray(at + len);
    }
    this.#buf = b;
    if (this.#resolve !== undefined && this.frames >= this.#want) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r();
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (ms) used so far by a process, from /proc/<pid>/stat (utime + stime). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
}

function start(args: string[]): Proc {
  // Each process in its own group: none outlives this bench, however it ends.
  const child = spawnInGroup(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = { child, out: '', err: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    p.out += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    p.err += s;
  });
  return p;
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnInGroup(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.once('error', (err) => {
    throw new Error(`redis-server could not be started (apt-get install redis-server): ${err}`);
  });
  await waitFor(() => log.includes('Ready to accept connections'), 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child };
}

const COMMON = [
  '--port',
  '0',
  '--rate',
  '100000',
  '--burst',
  '100000',
  '--heartbeat',
  '0',
  '--max-room-size',
  '100000',
];

interface Setup {
  readonly name: string;
  /** Ports members connect to, round-robin. */
  readonly ports: number[];
  /** Server process ids (CPU is summed over them). */
  readonly pids: number[];
  readonly redisPid?: number;
  stop(): Promise<void>;
}

/** The clients of one setup for one scenario. */
interface Population {
  readonly members: Member[];
  /** Per room: its senders. */
  readonly senders: Member[][];
  /** Instances the members landed on. */
  readonly instances: number;
}

function listeningPort(p: Proc): number | undefined {
  const m = p.out.match(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
  return m ? Number(m[1]) : undefined;
}

async function startSingle(name: string, extra: string[], count: number): Promise<Setup> {
  const procs = Array.from({ length: count }, (_, i) =>
    start([...COMMON, '--instance-id', `${name}${i}`, '--log-level', 'warn', ...extra]),
  );
  await waitFor(() => procs.every((p) => listeningPort(p) !== undefined), `${name} listening`);
  return {
    name,
    ports: procs.map((p) => listeningPort(p)!),
    pids: procs.map((p) => p.child.pid!),
    async stop() {
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => p.child.once('exit', r))));
    },
  };
}

async function startCluster(): Promise<Setup> {
  const p = start([...COMMON, '--workers', '2', '--log-level', 'info']);
  await waitFor(() => listeningPort(p) !== undefined, 'cluster listening');
  const pids = [p.child.pid!];
  for (const line of p.err.split('\n')) {
    if (line.includes('"event":"worker-listening"')) pids.push(JSON.parse(line).workerPid);
  }
  return {
    name: 'cluster',
    ports: [listeningPort(p)!],
    pids,
    async stop() {
      p.child.kill('SIGTERM');
      await new Promise((r) => p.child.once('exit', r));
    },
  };
}

/** Connects the members (hello + join) of every room; senders are spread over the instances. */
async function populate(setup: Setup, sc: Scenario, tag: string): Promise<Population> {
  const members: Member[] = [];
  const senders: Member[][] = [];
  const instances = new Set<string>();
  let n = 0;
  for (let r = 0; r < sc.rooms; r++) {
    const room = `${tag}${r}`;
    const byInstance = new Map<string, Member[]>();
    for (let i = 0; i < sc.members; i++) {
      const port = setup.ports[n++ % setup.ports.length]!;
      const m = await Member.open(port);
      m.socket.write(
        textFrame(JSON.stringify({ type: 'hello', nick: `${tag}${n}`, rooms: [room] })),
      );
      await m.until(3); // welcome, joined, own join event
      const instance = String(m.parsed[0]!.instance);
      instances.add(instance);
      byInstance.set(instance, [...(byInstance.get(instance) ?? []), m]);
      members.push(m);
    }
    const groups = [...byInstance.values()];
    const roomSenders: Member[] = [];
    for (let i = 0; i < sc.senders; i++) {
      const group = groups[i % groups.length]!;
      roomSenders.push(group[Math.floor(i / groups.length) % group.length]!);
    }
    senders.push(roomSenders);
  }
  // Presence events of the later joiners settle, then members only count.
  await new Promise((r) => setTimeout(r, 500));
  for (const m of members) {
    m.parse = false;
    m.parsed = [];
  }
  return { members, senders, instances: instances.size };
}

interface Run {
  wall: number;
  cpu: number;
  redisCpu: number;
  /** The cluster primary's share of `cpu` (0 elsewhere). */
  primaryCpu: number;
}

async function round(setup: Setup, pop: Population, sc: Scenario, tag: string): Promise<Run> {
  const base = pop.members.map((m) => m.frames);
  const perSender = Math.round(sc.messages / (sc.rooms * sc.senders));
  const writes: [Member, Buffer[]][] = [];
  const expected = new Map<Member, number>();
  for (const [r, roomSenders] of pop.senders.entries()) {
    for (const [k, sender] of roomSenders.entries()) {
      const out: Buffer[] = [];
      for (let i = 0; i < perSender; i += sc.batch) {
        const frames: Buffer[] = [];
        for (let j = i; j < Math.min(i + sc.batch, perSender); j++) {
          frames.push(
            textFrame(
              JSON.stringify({ type: 'post', room: `${tag}${r}`, text: `message ${k}.${j}` }),
            ),
          );
        }
        out.push(Buffer.concat(frames));
      }
      writes.push([sender, out]);
      // The sender also gets an `ok` per post.
      expected.set(sender, (expected.get(sender) ?? 0) + perSender);
    }
  }
  // Every member gets every post of its room.
  for (const [i, m] of pop.members.entries()) {
    const room = Math.floor(i / sc.members);
    expected.set(m, (expected.get(m) ?? 0) + base[i]! + perSender * pop.senders[room]!.length);
  }
  const cpu0 = setup.pids.reduce((n, pid) => n + cpuMs(pid), 0);
  const primary0 = setup.name === 'cluster' ? cpuMs(setup.pids[0]!) : 0;
  const redis0 = setup.redisPid !== undefined ? cpuMs(setup.redisPid) : 0;
  const t0 = process.hrtime.bigint();
  const turns = Math.max(...writes.map(([, out]) => out.length));
  for (let i = 0; i < turns; i++) {
    for (const [sender, out] of writes) if (i < out.length) sender.socket.write(out[i]!);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(pop.members.map((m) => m.until(expected.get(m)!)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    wall,
    cpu: setup.pids.reduce((n, pid) => n + cpuMs(pid), 0) - cpu0,
    redisCpu: setup.redisPid !== undefined ? cpuMs(setup.redisPid) - redis0 : 0,
    primaryCpu: setup.name === 'cluster' ? cpuMs(setup.pids[0]!) - primary0 : 0,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function scaleBench(): Promise<void> {
  const redisA = await startRedis();
  const redisB = await startRedis();
  const setups: Setup[] = [];
  try {
    setups.push(await startSingle('single', [], 1));
    setups.push(await startCluster());
    const r1 = await startSingle('redisone', ['--adapter', 'redis', '--redis-url', redisA.url], 1);
    setups.push({ ...r1, name: 'redis1', redisPid: redisA.child.pid! });
    const r2 = await startSingle('redistwo', ['--adapter', 'redis', '--redis-url', redisB.url], 2);
    setups.push({ ...r2, name: 'redis2', redisPid: redisB.child.pid! });
    const load = loadavg().map((l) => l.toFixed(1));
    console.log(
      `scale-out fan-out benchmark; machine: ${availableParallelism()} CPUs, load average ${load.join(' / ')} at start; the clients run in this process, on the same CPUs; medians of ${ROUNDS} interleaved rounds`,
    );
    for (const [si, sc] of SCENARIOS.entries()) {
      const tag = `s${si}r`;
      const pops = new Map<Setup, Population>();
      for (const s of setups) pops.set(s, await populate(s, sc, tag));
      // A warm-up round each (JIT, buffers), not counted.
      for (const s of setups) await round(s, pops.get(s)!, sc, tag);
      const runs = new Map<Setup, Run[]>(setups.map((s) => [s, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const s of setups) runs.get(s)!.push(await round(s, pops.get(s)!, sc, tag));
      }
      report(sc, setups, runs, pops);
      for (const pop of pops.values()) for (const m of pop.members) m.socket.destroy();
      await new Promise((r) => setTimeout(r, 500)); // leaves settle before the next scenario
    }
  } finally {
    for (const s of setups) await s.stop();
    redisA.child.kill('SIGKILL');
    redisB.child.kill('SIGKILL');
  }
}

function report(
  sc: Scenario,
  setups: readonly Setup[],
  runs: Map<Setup, Run[]>,
  pops: Map<Setup, Population>,
): void {
  const perSender = Math.round(sc.messages / (sc.rooms * sc.senders));
  const messages = perSender * sc.rooms * sc.senders;
  const deliveries = messages * sc.members;
  console.log(
    `\n${sc.name}: ${sc.rooms} room${sc.rooms === 1 ? '' : 's'} × ${sc.members} members, ${sc.senders} sender${sc.senders === 1 ? '' : 's'} per room, ${messages.toLocaleString('en-US')} messages (${sc.batch} per write) = ${deliveries.toLocaleString('en-US')} deliveries per round`,
  );
  const table: Record<string, Record<string, string>> = {};
  const rows = new Map<string, Run>();
  for (const s of setups) {
    const list = runs.get(s)!;
    const row = {
      wall: median(list.map((x) => x.wall)),
      cpu: median(list.map((x) => x.cpu)),
      redisCpu: median(list.map((x) => x.redisCpu)),
      primaryCpu: median(list.map((x) => x.primaryCpu)),
    };
    rows.set(s.name, row);
    table[s.name] = {
      instances: String(pops.get(s)!.instances),
      'wall ms': row.wall.toFixed(0),
      'deliveries/s': Math.round(deliveries / (row.wall / 1000)).toLocaleString('en-US'),
      'server CPU ms': row.cpu.toFixed(0),
      'deliveries/server CPU-s': Math.round(deliveries / (row.cpu / 1000)).toLocaleString('en-US'),
      'messages/server CPU-s': Math.round(messages / (row.cpu / 1000)).toLocaleString('en-US'),
      'primary / redis CPU ms':
        s.redisPid !== undefined
          ? `redis ${row.redisCpu.toFixed(0)}`
          : s.name === 'cluster'
            ? `primary ${row.primaryCpu.toFixed(0)}`
            : '',
    };
  }
  console.table(table);
  const single = rows.get('single')!;
  const r = (a: Run, b: Run) => (b.wall / a.wall).toFixed(2);
  const c = (a: Run, b: Run) => (a.cpu / b.cpu).toFixed(2);
  console.log(
    `  throughput vs single: cluster ${r(rows.get('cluster')!, single)}×, redis1 ${r(rows.get('redis1')!, single)}×, redis2 ${r(rows.get('redis2')!, single)}×; redis2 vs redis1 ${r(rows.get('redis2')!, rows.get('redis1')!)}×`,
  );
  console.log(
    `  server CPU per delivery vs single: cluster ${c(rows.get('cluster')!, single)}×, redis1 ${c(rows.get('redis1')!, single)}×, redis2 ${c(rows.get('redis2')!, single)}×`,
  );
  console.log(
    `  cluster primary CPU per message: ${((rows.get('cluster')!.primaryCpu * 1000) / messages).toFixed(1)} µs`,
  );
  console.log(
    `  redis-server CPU per message: redis1 ${((rows.get('redis1')!.redisCpu * 1000) / messages).toFixed(1)} µs, redis2 ${((rows.get('redis2')!.redisCpu * 1000) / messages).toFixed(1)} µs`,
  );
}
