import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import { styleText } from 'node:util';
import { backoffDelay, connect, type WebSocket, WebSocketUrlError } from '@ws02/client';

/** Options of the terminal client (the `ws02-chat` flags). */
export interface TerminalChatOptions {
  readonly url: string;
  readonly nick: string;
  /** Rooms joined on connect. */
  readonly rooms: readonly string[];
  readonly origin?: string;
  /** wss: accept a certificate that does not verify (self-signed, test servers). */
  readonly insecure?: boolean;
  readonly color: boolean;
  /** Reconnect attempts in a row after the connection is lost. Default 20. */
  readonly retries: number;
  /** First reconnect delay (ms), doubled per attempt up to 30 s, with jitter. Default 500. */
  readonly reconnectDelay: number;
  /** Liveness: an app-level `ping` every this many ms; no reply in as long → reconnect. */
  readonly keepalive: number;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

// biome-ignore lint/suspicious/noExplicitAny: server messages are JSON, checked field by field
type ServerMessage = Record<string, any>;

interface Pending {
  readonly kind: string;
  readonly text?: string;
  readonly to?: string;
  /** A join or hello asked with `since`: its history is what was missed. */
  readonly resuming?: boolean;
  /** Make the room the current one when joined (a user /join). */
  readonly focus?: boolean;
}

const HELP = [
  'commands:',
  '  /join <room>         join a room (or switch to it) — plain lines go to the current room',
  '  /leave [room]        leave the current (or named) room',
  '  /msg <nick> <text>   direct message',
  '  /nick <name>         change your nick',
  '  /who [room]          members of the current (or named) room',
  '  /rooms               rooms with members',
  '  /quit                leave (closing handshake) and exit',
];

/**
 * The `ws02-chat` terminal client: readline in, formatted lines out, over @ws02/client.
 * Reconnects with exponential backoff and resumes its session (nick, rooms, missed messages)
 * with the token and the last message id it saw.
 */
export class TerminalChat {
  readonly #o: TerminalChatOptions;
  readonly #tty: boolean;
  #rl: Interface | undefined;
  #ws: WebSocket | undefined;
  #nick: string;
  #baseNick: string;
  #nickTries = 0;
  #token: string | undefined;
  #lastId: string | undefined;
  readonly #rooms = new Set<string>();
  #current: string | undefined;
  #welcomed = false;
  #quitting = false;
  #exitCode = 0;
  #attempt = 0;
  #refs = 0;
  readonly #pending = new Map<string, Pending>();
  #reconnectTimer: NodeJS.Timeout | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #awaitingPong: string | undefined;
  #helloRef: string | undefined;
  /** Replies still expected for the hello's rooms; input waits until the hello round is done. */
  #helloRooms = 0;
  #ready = false;
  readonly #queue: string[] = [];
  #done: ((code: number) => void) | undefined;

  constructor(options: TerminalChatOptions) {
    this.#o = options;
    this.#tty = options.output.isTTY === true;
    this.#nick = options.nick;
    this.#baseNick = options.nick;
  }

  /** Connects and runs until /quit (0), end of input (0), or the connection is given up (1). */
  async run(): Promise<number> {
    const finished = new Promise<number>((resolve) => {
      this.#done = resolve;
    });
    try {
      this.#ws = await this.#open();
    } catch (err) {
      if (err instanceof WebSocketUrlError) throw err; // a usage error, not a network one
      this.#error(`cannot connect to ${this.#o.url}: ${describe(err)}`);
      return 1;
    }
    this.#startInput();
    this.#attach(this.#ws);
    return finished;
  }

  // --- connection ---

  #open(): Promise<WebSocket> {
    return connect(this.#o.url, {
      ...(this.#o.origin !== undefined ? { origin: this.#o.origin } : {}),
      ...(this.#o.insecure ? { rejectUnauthorized: false } : {}),
      handshakeTimeout: 10_000,
    });
  }

  #attach(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      if (isBinary || typeof data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(data) as ServerMessage;
      } catch {
        this.#error('the server sent something that is not JSON');
        return;
      }
      if (typeof message === 'object' && message !== null) this.#onMessage(message);
    });
    ws.on('error', () => {
      // Reported with the close that follows.
    });
    ws.on('close', (body, wasClean) => this.#onClose(ws, body, wasClean));
    this.#hello();
    this.#startKeepalive(ws);
  }

  #hello(): void {
    const resuming = this.#token !== undefined && this.#lastId !== undefined;
    if (this.#helloRef !== undefined) this.#pending.delete(this.#helloRef);
    const rooms = this.#welcomed ? [...this.#rooms] : [...this.#o.rooms];
    this.#helloRooms = rooms.length;
    this.#helloRef = this.#request(
      {
        type: 'hello',
        nick: this.#nick,
        ...(this.#token !== undefined ? { token: this.#token } : {}),
        ...(this.#lastId !== undefined ? { since: this.#lastId } : {}),
        rooms,
      },
      { kind: 'hello', resuming },
    );
  }

  #onClose(ws: WebSocket, body: Buffer, wasClean: boolean): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#ready = false;
    this.#stopKeepalive();
    if (this.#quitting) {
      this.#finish(this.#exitCode);
      return;
    }
    const reason = closeReason(body);
    if (reason?.code === 'REPLACED') {
      this.#status('this session was resumed on another connection; exiting');
      this.#finish(1);
      return;
    }
    const why =
      reason?.message ?? (wasClean ? 'the server closed the connection' : 'connection lost');
    this.#status(`disconnected: ${why}`);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#quitting) return;
    if (this.#attempt >= this.#o.retries) {
      this.#error(`giving up after ${this.#attempt} reconnect attempts`);
      this.#finish(1);
      return;
    }
    const attempt = ++this.#attempt;
    const delay = backoffDelay(attempt, {
      retries: this.#o.retries,
      minDelay: this.#o.reconnectDelay,
      maxDelay: Math.max(this.#o.reconnectDelay, 30_000),
      factor: 2,
      jitter: 0.5,
    });
    this.#status(
      `reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt} of ${this.#o.retries})`,
    );
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open().then(
        (ws) => {
          if (this.#quitting) {
            ws.close();
            return;
          }
          this.#attempt = 0;
          this.#ws = ws;
          this.#attach(ws);
        },
        (err: unknown) => {
          this.#status(`reconnect failed: ${describe(err)}`);
          this.#scheduleReconnect();
        },
      );
    }, delay);
  }

  /** An app-level ping now and then: a server gone silent is noticed and reconnected to. */
  #startKeepalive(ws: WebSocket): void {
    if (this.#o.keepalive <= 0) return;
    this.#keepaliveTimer = setInterval(() => {
      if (this.#awaitingPong !== undefined) {
        this.#status('the server stopped answering');
        ws.terminate();
        return;
      }
      this.#awaitingPong = this.#request({ type: 'ping' }, { kind: 'ping' });
    }, this.#o.keepalive);
    this.#keepaliveTimer.unref();
  }

  #stopKeepalive(): void {
    if (this.#keepaliveTimer !== undefined) clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#awaitingPong = undefined;
  }

  #request(message: ServerMessage, pending: Pending): string | undefined {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== ws.OPEN) {
      this.#error('not connected: not sent');
      return undefined;
    }
    const ref = `c${++this.#refs}`;
    this.#pending.set(ref, pending);
    ws.send(JSON.stringify({ ...message, ref }));
    return ref;
  }

  // --- server messages ---

  #onMessage(m: ServerMessage): void {
    this.#dispatch(m);
    // The hello round: welcome, then one `joined` or `error` per room asked for.
    if (!this.#ready && this.#welcomed && m.ref !== undefined && m.ref === this.#helloRef) {
      if (m.type === 'joined' || (m.type === 'error' && m.for === 'join')) this.#helloRooms--;
      if (
        (m.type === 'welcome' || m.type === 'joined' || m.type === 'error') &&
        this.#helloRooms <= 0
      ) {
        this.#setReady();
      }
    }
  }

  /** Connected and (re)joined: lines typed meanwhile are sent now, in order. */
  #setReady(): void {
    this.#ready = true;
    const lines = this.#queue.splice(0);
    for (const line of lines) this.#onLine(line);
  }

  #dispatch(m: ServerMessage): void {
    if (typeof m.id === 'string') this.#seen(m.id);
    const pending = typeof m.ref === 'string' ? this.#pending.get(m.ref) : undefined;
    // Replies to hello with rooms come as several messages with the same ref: keep it for them.
    if (pending !== undefined && pending.kind !== 'hello') this.#pending.delete(m.ref);
    switch (m.type) {
      case 'welcome':
        this.#onWelcome(m, pending);
        return;
      case 'joined':
        this.#onJoined(m, pending);
        return;
      case 'left':
        this.#rooms.delete(m.room);
        if (this.#current === m.room) this.#current = this.#rooms.values().next().value;
        this.#status(`left #${m.room}`);
        this.#updatePrompt();
        return;
      case 'message':
        this.#print(
          `${this.#time(m.ts)} ${this.#room(m.room)} ${this.#who(`<${m.from}>`)} ${clean(m.text)}`,
        );
        return;
      case 'dm':
        this.#print(`${this.#time(m.ts)} ${this.#dmStyle(`*${clean(m.from)}*`)} ${clean(m.text)}`);
        return;
      case 'join':
        if (m.nick !== this.#nick) {
          this.#print(
            `${this.#time(m.ts)} ${this.#room(m.room)} ${this.#dim(`-> ${m.nick} joined`)}`,
          );
        }
        return;
      case 'leave':
        if (m.nick !== this.#nick) {
          this.#print(
            `${this.#time(m.ts)} ${this.#room(m.room)} ${this.#dim(`<- ${m.nick} left (${m.reason})`)}`,
          );
        }
        return;
      case 'nick':
        if (m.from !== this.#nick && m.to !== this.#nick) {
          this.#print(
            `${this.#time(m.ts)} ${this.#room(m.room)} ${this.#dim(`${m.from} is now known as ${m.to}`)}`,
          );
        }
        return;
      case 'ok':
        this.#onOk(m, pending);
        return;
      case 'rooms': {
        const list = (m.rooms as { room: string; members: number }[])
          .map((r) => `#${r.room} (${r.members})`)
          .join(', ');
        this.#status(list === '' ? 'no rooms yet: /join <room> creates one' : `rooms: ${list}`);
        return;
      }
      case 'who':
        this.#status(`#${m.room}: ${(m.members as string[]).join(', ')} (${m.members.length})`);
        return;
      case 'pong':
        if (m.ref === this.#awaitingPong) this.#awaitingPong = undefined;
        return;
      case 'error':
        this.#onError(m, pending);
        return;
    }
  }

  #onWelcome(m: ServerMessage, _pending: Pending | undefined): void {
    const resumed = m.resumed === true;
    this.#nick = m.nick;
    this.#token = m.token;
    this.#seen(m.cursor);
    const first = !this.#welcomed;
    this.#welcomed = true;
    this.#nickTries = 0;
    this.#status(
      `${first ? 'connected to' : 'reconnected to'} ${this.#o.url} as ${m.nick}${resumed ? ' (session resumed)' : ''}`,
    );
    if (first) this.#status('type /help for commands');
    const dms = m.dms as ServerMessage[];
    if (dms.length > 0) {
      this.#status(
        `${dms.length} missed direct message${dms.length === 1 ? '' : 's'}${m.dmsTruncated ? ' (older ones lost)' : ''}:`,
      );
      for (const dm of dms) this.#dispatch(dm);
    }
    this.#updatePrompt();
  }

  #onJoined(m: ServerMessage, pending: Pending | undefined): void {
    const room = m.room as string;
    const already = this.#rooms.has(room);
    this.#rooms.add(room);
    if (pending?.focus === true || this.#current === undefined) this.#current = room;
    const history = m.history as ServerMessage[];
    if (pending?.resuming === true) {
      this.#status(
        `#${room}: ${history.length === 0 ? 'no' : history.length} missed message${history.length === 1 ? '' : 's'}${m.truncated ? ' (older ones lost)' : ''}`,
      );
    } else if (history.length > 0) {
      this.#status(`#${room}: last ${history.length} message${history.length === 1 ? '' : 's'}`);
    }
    for (const event of history) this.#dispatch(event);
    if (!(pending?.resuming === true && already)) {
      this.#status(`joined #${room} — members: ${(m.members as string[]).join(', ')}`);
    }
    this.#updatePrompt();
  }

  #onOk(m: ServerMessage, pending: Pending | undefined): void {
    if (m.for === 'dm' && pending?.text !== undefined) {
      this.#print(
        `${this.#time(m.ts)} ${this.#dmStyle(`-> *${clean(m.to)}*`)} ${clean(pending.text)}`,
      );
    } else if (m.for === 'nick') {
      this.#nick = m.nick;
      this.#baseNick = m.nick;
      this.#status(`you are now known as ${m.nick}`);
      this.#updatePrompt();
    }
  }

  #onError(m: ServerMessage, pending: Pending | undefined): void {
    if (pending?.kind === 'hello' && m.code === 'NICK_TAKEN' && m.for === 'hello') {
      // Our nick is someone else's now: try nick_2, nick_3, …
      if (++this.#nickTries > 9) {
        this.#error(`${this.#baseNick} and its variants are taken; choose another with --nick`);
        this.#quitWith(1);
        return;
      }
      const next = `${this.#baseNick.slice(0, 20)}_${this.#nickTries + 1}`;
      this.#error(`${this.#nick} is taken; trying ${next}`);
      this.#nick = next;
      this.#token = undefined;
      this.#lastId = undefined;
      this.#hello();
      return;
    }
    if (pending?.kind === 'hello' && m.for === 'hello') {
      // The server refuses this hello for good (e.g. NICK_INVALID under its rules).
      this.#error(`${m.code}: ${clean(String(m.message))}`);
      this.#quitWith(2);
      return;
    }
    if (m.code === 'RATE_LIMITED') {
      this.#error(`slow down: message dropped (${m.code})`);
      return;
    }
    this.#error(`${m.code}: ${clean(String(m.message))}`);
  }

  #seen(id: unknown): void {
    if (typeof id === 'string' && (this.#lastId === undefined || id > this.#lastId))
      this.#lastId = id;
  }

  // --- input ---

  #startInput(): void {
    const rl = createInterface({
      input: this.#o.input,
      output: this.#o.output,
      terminal: this.#tty,
      prompt: '> ',
    });
    this.#rl = rl;
    rl.on('line', (line) => {
      if (this.#ready || /^\s*\/(quit|exit)\b/i.test(line)) this.#onLine(line);
      else if (line.trim() !== '') {
        this.#queue.push(line);
        if (this.#welcomed) this.#status('not connected: this will be sent once reconnected');
      }
      if (this.#tty && !this.#quitting) rl.prompt();
    });
    rl.on('close', () => this.#quit());
    rl.on('SIGINT', () => this.#quit());
    this.#updatePrompt();
  }

  #onLine(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    if (!line.startsWith('/')) {
      if (this.#current === undefined) {
        this.#error('join a room first: /join <room>');
        return;
      }
      this.#request({ type: 'post', room: this.#current, text: line }, { kind: 'post' });
      return;
    }
    const [command = '', ...args] = line.slice(1).split(/\s+/);
    const rest = line.slice(1 + command.length).trim();
    switch (command.toLowerCase()) {
      case 'join':
        if (args[0] === undefined) {
          this.#error('usage: /join <room>');
          return;
        }
        this.#request({ type: 'join', room: args[0] }, { kind: 'join', focus: true });
        return;
      case 'leave':
      case 'part': {
        const room = args[0] ?? this.#current;
        if (room === undefined) {
          this.#error('usage: /leave <room>');
          return;
        }
        this.#request({ type: 'leave', room }, { kind: 'leave' });
        // Lines typed from now on go to another room, not the one being left.
        if (room.replace(/^#/, '').toLowerCase() === this.#current) {
          this.#current = [...this.#rooms].find((r) => r !== this.#current);
          this.#updatePrompt();
        }
        return;
      }
      case 'msg':
      case 'dm': {
        const to = args[0];
        const text = to === undefined ? '' : rest.slice(to.length).trim();
        if (to === undefined || text === '') {
          this.#error('usage: /msg <nick> <text>');
          return;
        }
        this.#request({ type: 'dm', to, text }, { kind: 'dm', to, text });
        return;
      }
      case 'nick':
        if (args[0] === undefined) {
          this.#error('usage: /nick <name>');
          return;
        }
        this.#request({ type: 'nick', nick: args[0] }, { kind: 'nick' });
        return;
      case 'who': {
        const room = args[0] ?? this.#current;
        if (room === undefined) {
          this.#error('usage: /who <room>');
          return;
        }
        this.#request({ type: 'who', room }, { kind: 'who' });
        return;
      }
      case 'rooms':
      case 'list':
        this.#request({ type: 'rooms' }, { kind: 'rooms' });
        return;
      case 'quit':
      case 'exit':
        this.#quit();
        return;
      case 'help':
        for (const l of HELP) this.#print(this.#dim(l));
        return;
      default:
        this.#error(`unknown command /${command}; /help lists them`);
    }
  }

  /** /quit, end of input or Ctrl+C: closing handshake (section 7), then exit 0. */
  #quit(): void {
    this.#quitWith(0);
  }

  #quitWith(code: number): void {
    if (this.#quitting) return;
    this.#exitCode = code;
    this.#quitting = true;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#stopKeepalive();
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === ws.CLOSED) {
      this.#finish(this.#exitCode);
      return;
    }
    if (code === 0) this.#status('bye');
    ws.close();
  }

  #finish(code: number): void {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#stopKeepalive();
    const done = this.#done;
    this.#done = undefined;
    this.#rl?.close();
    done?.(code);
  }

  // --- output ---

  #updatePrompt(): void {
    if (this.#rl === undefined || !this.#tty) return;
    this.#rl.setPrompt(`${this.#current === undefined ? '' : `#${this.#current} `}${this.#nick}> `);
    this.#rl.prompt(true);
  }

  #print(line: string): void {
    const out = this.#o.output;
    if (this.#tty && this.#rl !== undefined && !this.#quitting) {
      // Keep what the user is typing: clear the prompt line, print, redraw the prompt.
      clearLine(out, 0);
      cursorTo(out, 0);
      out.write(`${line}\n`);
      this.#rl.prompt(true);
    } else {
      out.write(`${line}\n`);
    }
  }

  #status(text: string): void {
    this.#print(this.#style('yellow', `-- ${text}`));
  }

  #error(text: string): void {
    this.#print(this.#style('red', `!! ${text}`));
  }

  #time(ts: unknown): string {
    const d = typeof ts === 'number' ? new Date(ts) : new Date();
    const hh = String(d.getHours()).padStart(2, '0');
    const mm = String(d.getMinutes()).padStart(2, '0');
    return this.#dim(`[${hh}:${mm}]`);
  }

  #room(room: unknown): string {
    return this.#style('cyan', `#${clean(String(room))}`);
  }

  #who(text: string): string {
    return this.#style('bold', clean(text));
  }

  #dmStyle(text: string): string {
    return this.#style('magenta', text);
  }

  #dim(text: string): string {
    return this.#style('dim', text);
  }

  #style(format: Parameters<typeof styleText>[0], text: string): string {
    return this.#o.color ? styleText(format, text) : text;
  }
}

/**
 * Text from the network never drives the terminal: control characters (escape sequences, bells,
 * carriage returns) and bidirectional overrides become U+FFFD; newlines are indented.
 */
export function clean(text: unknown): string {
  return (
    String(text)
      .replace(/\r?\n/g, '\n    ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd')
  );
}

function closeReason(body: Buffer): { code: string; message: string } | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      return { code: parsed.code, message: clean(parsed.message) };
    }
  } catch {
    // Not the chat server's JSON reason: shown as text below.
  }
  return { code: '', message: clean(body.toString('utf8')) };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    return `${err.message.split(' [')[0]}${typeof cause === 'string' ? ` (${cause})` : typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return String(err);
}
