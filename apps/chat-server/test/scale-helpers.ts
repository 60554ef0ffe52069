import { afterEach } from 'vitest';
import { PROCESS_WAIT_MS } from '../../../scripts/test-utils/spawned.js';
import { until, WAIT_MS } from '../../../scripts/test-utils/wait.js';
import type { ChatLogger } from '../src/index.js';
import { ChatPeer, type Json } from './chat-peer.js';
import type { Spawned } from './spawned.js';

const opened: ChatPeer[] = [];

afterEach(() => {
  for (const p of opened.splice(0)) p.destroy();
});

/** A raw peer destroyed after the test. */
export async function open(port: number): Promise<ChatPeer> {
  const p = await ChatPeer.open(port);
  opened.push(p);
  return p;
}

/** A peer that said hello as `nick`; its welcome (with `instance`) is returned alongside. */
export async function hello(
  port: number,
  nick: string,
  extra: Json = {},
): Promise<{ peer: ChatPeer; welcome: Json }> {
  const peer = await open(port);
  const welcome = await peer.hello(nick, extra);
  return { peer, welcome };
}

/**
 * Connects until two connections landed on different instances (the OS and the cluster's
 * round-robin choose, not us), and returns them as `a` and `b` (said hello with those nicks).
 * Connections that landed on the same instance as `a` stay open, idle, under probe nicks.
 */
export async function onTwoInstances(
  port: number,
  a: string,
  b: string,
): Promise<{ a: ChatPeer; b: ChatPeer; instA: string; instB: string }> {
  const first = await hello(port, a);
  for (let i = 0; i < 20; i++) {
    const peer = await open(port);
    const welcome = await peer.hello(`probe_${b}_${i}`);
    if (welcome.instance !== first.welcome.instance) {
      const renamed = await peer.request({ type: 'nick', nick: b });
      if (renamed.type !== 'ok') throw new Error(`rename failed: ${JSON.stringify(renamed)}`);
      return { a: first.peer, b: peer, instA: first.welcome.instance, instB: welcome.instance };
    }
  }
  throw new Error('20 connections in a row landed on the same instance');
}

/**
 * Sends `hello` (e.g. a resume with a token) on new connections until one lands on an
 * instance `wanted` accepts; the others are closed. Without a token, attempt i > 0 says hello
 * as `<nick><i>` (the nick of a closed attempt stays held for its resume window).
 */
export async function helloWhere(
  port: number,
  command: Json,
  wanted: (instance: string) => boolean,
): Promise<{ peer: ChatPeer; welcome: Json }> {
  for (let i = 0; i < 20; i++) {
    const peer = await open(port);
    const nick = command.token === undefined && i > 0 ? `${command.nick}${i}` : command.nick;
    const welcome = await peer.request({ type: 'hello', ...command, nick });
    if (welcome.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(welcome)}`);
    if (wanted(welcome.instance)) return { peer, welcome };
    await peer.close();
  }
  throw new Error('20 connections in a row landed on unwanted instances');
}

/** The JSON log lines (pino) a spawned server wrote on stderr so far. */
export function logLines(p: Spawned): Json[] {
  return p.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json);
}

/** Waits until a log line matches (bounded like every wait on a process). */
export async function waitLog(
  p: Spawned,
  match: (line: Json) => boolean,
  what: string,
  ms = PROCESS_WAIT_MS,
): Promise<Json> {
  let found: Json | undefined;
  await until(
    () => {
      found = logLines(p).find(match);
      return found !== undefined;
    },
    `log line: ${what}\n${p.stderr}`,
    ms,
  );
  return found!;
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Json;
  readonly msg: string | undefined;
}

/** A logger that keeps what it is told, for checking what an in-process server logged. */
export function collectingLogger(): { logger: ChatLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Json, msg });
    };
  return {
    entries,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

/** Polls a request until its reply satisfies `ok` (for state that converges asynchronously). */
export async function eventually(
  peer: ChatPeer,
  request: Json,
  ok: (reply: Json) => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<Json> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await peer.request(request);
    if (ok(reply)) return reply;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last reply ${JSON.stringify(reply)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
