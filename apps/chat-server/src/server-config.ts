import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createSecureContext } from 'node:tls';
import { Command, Option } from 'commander';
import { ChatConfigError } from './chat-error.js';
import { CHAT_DEFAULTS, type ChatServerOptions, SERVER_OPTION_DEFAULTS } from './chat-options.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ADAPTER_KINDS = ['memory', 'cluster', 'redis'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** How the server scales out: processes on this machine, and the adapter that joins them. */
export interface ScaleConfig {
  /** Processes serving the port (node:cluster workers); 1 = this process serves it. */
  readonly workers: number;
  /** `memory` (one process), `cluster` (IPC through the primary), `redis` (any number of machines). */
  readonly adapter: AdapterKind;
  /** For `redis`: `redis://[user:password@]host[:port][/db]` or `rediss://…`. */
  readonly redisUrl: string | undefined;
  /** This instance's id (in message ids, Redis presence); workers append `w<n>`. Default random. */
  readonly instanceId: string | undefined;
  /** Redis: how often an instance marks itself alive (ms). */
  readonly redisHeartbeat: number;
  /** Redis: an instance silent this long is dead; its members leave, its nicks are held (ms). */
  readonly redisTtl: number;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The server's configuration after flags and environment were read and checked. */
export interface ServerConfig {
  readonly scale: ScaleConfig;
  readonly options: ChatServerOptions & {
    readonly port: number;
    readonly host: string;
  };
  readonly logLevel: LogLevel;
  /** Paths of the TLS files, for messages. */
  readonly tlsFiles: { readonly key: string; readonly cert: string } | undefined;
}

/**
 * Every setting: flag, environment variable, default. README "Configuration" is this table.
 * Flags win over the environment.
 */
const SETTINGS = [
  { flag: '--port <n>', env: 'CHAT_PORT', help: 'TCP port; 0 picks a free one', def: '8080' },
  { flag: '--host <addr>', env: 'CHAT_HOST', help: 'address to listen on', def: '127.0.0.1' },
  {
    flag: '--allowed-origins <list>',
    env: 'CHAT_ALLOWED_ORIGINS',
    help: 'comma-separated Origin values accepted (section 8); * = any',
    def: '*',
  },
  {
    flag: '--history <n>',
    env: 'CHAT_HISTORY',
    help: 'messages kept per room, sent on join',
    def: '100',
  },
  {
    flag: '--tls-key <file>',
    env: 'CHAT_TLS_KEY',
    help: 'PEM private key: serve wss:// (with --tls-cert)',
  },
  {
    flag: '--tls-cert <file>',
    env: 'CHAT_TLS_CERT',
    help: 'PEM certificate chain (with --tls-key)',
  },
  {
    flag: '--log-level <level>',
    env: 'LOG_LEVEL',
    help: `${LOG_LEVELS.join(', ')} (JSON logs on stderr)`,
    def: 'info',
  },
  {
    flag: '--max-text <n>',
    env: 'CHAT_MAX_TEXT',
    help: 'longest message text, in characters',
    def: '2000',
  },
  { flag: '--rate <n>', env: 'CHAT_RATE', help: 'messages per second per connection', def: '5' },
  {
    flag: '--burst <n>',
    env: 'CHAT_BURST',
    help: 'messages a connection may send at once',
    def: '10',
  },
  {
    flag: '--max-rooms <n>',
    env: 'CHAT_MAX_ROOMS',
    help: 'rooms with members, server-wide',
    def: '1000',
  },
  { flag: '--max-room-size <n>', env: 'CHAT_MAX_ROOM_SIZE', help: 'members per room', def: '1000' },
  {
    flag: '--max-connections <n>',
    env: 'CHAT_MAX_CONNECTIONS',
    help: 'open WebSocket connections',
    def: '10000',
  },
  {
    flag: '--flush <policy>',
    env: 'CHAT_FLUSH',
    help: 'when room fan-outs are written: tick (lowest latency), turn (once per event-loop turn), or a delay in ms (fewer writes for big rooms)',
    def: 'tick',
  },
  {
    flag: '--heartbeat <ms>',
    env: 'CHAT_HEARTBEAT',
    help: 'ping interval; a peer silent for another interval is dropped; 0 = off',
    def: '30000',
  },
  {
    flag: '--resume-window <ms>',
    env: 'CHAT_RESUME_WINDOW',
    help: 'how long a dropped session keeps its nick and messages for a resume',
    def: '60000',
  },
  {
    flag: '--workers <n>',
    env: 'CHAT_WORKERS',
    help: 'processes sharing the port (node:cluster); 0 or auto = one per CPU',
    def: '1',
  },
  {
    flag: '--adapter <kind>',
    env: 'CHAT_ADAPTER',
    help: 'memory (one process), cluster (several, IPC), redis (several machines); default memory, cluster with --workers > 1, redis with --redis-url',
  },
  {
    flag: '--redis-url <url>',
    env: 'CHAT_REDIS_URL',
    help: `Redis server for --adapter redis (default ${DEFAULT_REDIS_URL})`,
  },
  {
    flag: '--redis-heartbeat <ms>',
    env: 'CHAT_REDIS_HEARTBEAT',
    help: 'redis: how often this instance marks itself alive',
    def: '2000',
  },
  {
    flag: '--redis-ttl <ms>',
    env: 'CHAT_REDIS_TTL',
    help: 'redis: an instance silent this long is dead (at least 2 heartbeats)',
    def: '10000',
  },
  {
    flag: '--instance-id <id>',
    env: 'CHAT_INSTANCE_ID',
    help: 'this instance’s id, 1-24 of [0-9a-z] (default random)',
  },
] as const;

/** The `ws02-chat-server` command line (commander), with every setting and its variable. */
export function serverCommand(): Command {
  const program = new Command('ws02-chat-server')
    .description(
      'Multi-room chat server over WebSocket draft-02 (one process, in-memory, no external service).',
    )
    .allowExcessArguments(false);
  for (const s of SETTINGS) {
    const def = 'def' in s ? `, default ${s.def}` : '';
    program.addOption(new Option(s.flag, `${s.help} (env ${s.env}${def})`));
  }
  return program;
}

/**
 * Reads the settings from `argv` (without node and script) and `env`, checks every one and
 * returns the configuration, or throws ChatConfigError naming the setting and where it came
 * from. A flag wins over its environment variable. CommanderError (usage, --help) is thrown
 * as is.
 */
export function parseServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  configure?: (program: Command) => void,
): ServerConfig {
  const program = serverCommand();
  program.exitOverride();
  configure?.(program);
  program.parse([...argv], { from: 'user' });
  const flags = program.opts<Record<string, string | undefined>>();
  const opts: Record<string, string | undefined> = {};
  const sources: Record<string, string> = {};
  for (const s of SETTINGS) {
    const key = camel(s.flag);
    const flag = s.flag.split(' ')[0]!;
    if (flags[key] !== undefined) {
      opts[key] = flags[key];
      sources[key] = flag;
    } else if (env[s.env] !== undefined && env[s.env] !== '') {
      opts[key] = env[s.env];
      sources[key] = s.env;
    } else if ('def' in s) {
      opts[key] = s.def;
      sources[key] = `${flag} (default)`;
    }
  }
  const source = (key: string) => sources[key] ?? key;
  const int = (key: string, min: number, max: number): number => {
    const raw = (opts[key] ?? '').trim();
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ChatConfigError(
        'CONFIG_BAD_NUMBER',
        `invalid ${source(key)} ${JSON.stringify(opts[key] ?? '')}: expected an integer from ${min} to ${max}`,
      );
    }
    return value;
  };

  const port = int('port', 0, 65535);
  const scale = parseScale(opts, source, int);
  const host = (opts.host ?? '').trim();
  if (host === '' || /\s/.test(host)) {
    throw new ChatConfigError(
      'CONFIG_BAD_HOST',
      `invalid ${source('host')} ${JSON.stringify(opts.host ?? '')}: expected an address or host name`,
    );
  }
  const allowedOrigins = parseOrigins(opts.allowedOrigins ?? '*', source('allowedOrigins'));
  const logLevel = (opts.logLevel ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ChatConfigError(
      'CONFIG_BAD_LOG_LEVEL',
      `invalid ${source('logLevel')} ${JSON.stringify(opts.logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const flushRaw = (opts.flush ?? 'tick').trim().toLowerCase();
  const flush: 'tick' | 'turn' | number =
    flushRaw === 'tick' || flushRaw === 'turn' ? flushRaw : int('flush', 0, 1000);
  const heartbeat = int('heartbeat', 0, 3_600_000);
  if (heartbeat > 0 && heartbeat < 100) {
    throw new ChatConfigError(
      'CONFIG_BAD_NUMBER',
      `invalid ${source('heartbeat')} ${heartbeat}: 0 (off) or at least 100 ms`,
    );
  }

  let tls: ChatServerOptions['tls'];
  let tlsFiles: ServerConfig['tlsFiles'];
  if ((opts.tlsKey === undefined) !== (opts.tlsCert === undefined)) {
    throw new ChatConfigError(
      'CONFIG_TLS_INCOMPLETE',
      `TLS needs both a key and a certificate: ${opts.tlsKey === undefined ? '--tls-key / CHAT_TLS_KEY' : '--tls-cert / CHAT_TLS_CERT'} is missing`,
    );
  }
  if (opts.tlsKey !== undefined && opts.tlsCert !== undefined) {
    const key = readTlsFile(opts.tlsKey, source('tlsKey'));
    const cert = readTlsFile(opts.tlsCert, source('tlsCert'));
    try {
      createSecureContext({ key, cert });
    } catch (err) {
      throw new ChatConfigError(
        'CONFIG_TLS_UNREADABLE',
        `the TLS key ${opts.tlsKey} and certificate ${opts.tlsCert} are not a usable pair: ${(err as Error).message}`,
      );
    }
    tls = { key, cert };
    tlsFiles = { key: opts.tlsKey, cert: opts.tlsCert };
  }

  return {
    scale,
    options: {
      port,
      host,
      ...(allowedOrigins !== undefined ? { allowedOrigins } : {}),
      ...(tls !== undefined ? { tls } : {}),
      heartbeat: heartbeat === 0 ? false : { interval: heartbeat, timeout: heartbeat },
      ...(flush === 'tick' ? {} : { flush }),
      maxConnections: int('maxConnections', 1, 1_000_000),
      limits: {
        historySize: int('history', 0, 10_000),
        maxTextLength: int('maxText', 1, 100_000),
        rate: int('rate', 1, 100_000),
        burst: int('burst', 1, 100_000),
        maxRooms: int('maxRooms', 1, 1_000_000),
        maxRoomMembers: int('maxRoomSize', 1, 1_000_000),
        resumeWindow: int('resumeWindow', 0, 86_400_000),
        // A text of maxTextLength characters must fit in one message, JSON-escaped.
        // Raw UTF-8 (what JSON.stringify writes) takes at most 4 bytes per character.
        maxMessageBytes: Math.max(
          CHAT_DEFAULTS.maxMessageBytes,
          int('maxText', 1, 100_000) * 4 + 1024,
        ),
      },
    },
    logLevel: logLevel as LogLevel,
    tlsFiles,
  };
}

function parseScale(
  opts: Record<string, string | undefined>,
  source: (key: string) => string,
  int: (key: string, min: number, max: number) => number,
): ScaleConfig {
  const rawWorkers = (opts.workers ?? '1').trim().toLowerCase();
  let workers = rawWorkers === 'auto' ? 0 : int('workers', 0, 256);
  if (workers === 0) workers = availableParallelism();

  const redisUrlRaw = opts.redisUrl?.trim();
  const rawAdapter = opts.adapter?.trim().toLowerCase();
  let adapter: AdapterKind;
  if (rawAdapter === undefined || rawAdapter === '') {
    adapter = redisUrlRaw !== undefined ? 'redis' : workers > 1 ? 'cluster' : 'memory';
  } else if ((ADAPTER_KINDS as readonly string[]).includes(rawAdapter)) {
    adapter = rawAdapter as AdapterKind;
  } else {
    throw new ChatConfigError(
      'CONFIG_BAD_ADAPTER',
      `invalid ${source('adapter')} ${JSON.stringify(opts.adapter)}: expected one of ${ADAPTER_KINDS.join(', ')}`,
    );
  }
  if (adapter === 'memory' && workers > 1) {
    throw new ChatConfigError(
      'CONFIG_BAD_ADAPTER',
      `${source('adapter')} memory keeps everything in one process, but ${source('workers')} asks for ${workers}: use cluster (or redis)`,
    );
  }
  let redisUrl: string | undefined;
  if (adapter === 'redis') {
    redisUrl = redisUrlRaw ?? DEFAULT_REDIS_URL;
    let url: URL | undefined;
    try {
      url = new URL(redisUrl);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'redis:' && url.protocol !== 'rediss:') ||
      url.hostname === '' ||
      !/^(\/\d*)?$/.test(url.pathname)
    ) {
      throw new ChatConfigError(
        'CONFIG_BAD_REDIS_URL',
        `invalid ${source('redisUrl')} ${JSON.stringify(redisUrl)}: expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS)`,
      );
    }
  } else if (redisUrlRaw !== undefined) {
    throw new ChatConfigError(
      'CONFIG_BAD_ADAPTER',
      `${source('redisUrl')} is only used with --adapter redis, but the adapter is ${adapter}`,
    );
  }
  const instanceId = opts.instanceId?.trim();
  if (instanceId !== undefined && !/^[0-9a-z]{1,24}$/.test(instanceId)) {
    throw new ChatConfigError(
      'CONFIG_BAD_INSTANCE_ID',
      `invalid ${source('instanceId')} ${JSON.stringify(opts.instanceId)}: expected 1 to 24 characters of 0-9 and a-z`,
    );
  }
  const redisHeartbeat = int('redisHeartbeat', 100, 60_000);
  const redisTtl = int('redisTtl', 200, 600_000);
  if (redisTtl < 2 * redisHeartbeat) {
    throw new ChatConfigError(
      'CONFIG_BAD_NUMBER',
      `invalid ${source('redisTtl')} ${redisTtl}: at least twice ${source('redisHeartbeat')} (${redisHeartbeat}), or live instances would be taken for dead`,
    );
  }
  return { workers, adapter, redisUrl, instanceId, redisHeartbeat, redisTtl };
}

/** `*` (any origin) or a list of origin serializations (section 8), compared exactly. */
function parseOrigins(raw: string, from: string): readonly string[] | undefined {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0 || (list.length === 1 && list[0] === '*')) return undefined;
  for (const origin of list) {
    // Section 3.3 / 8: an origin is scheme://host[:port], lowercase, no path; `null` is what a
    // browser sends for an opaque origin.
    if (origin !== 'null' && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@A-Z]+$/.test(origin)) {
      throw new ChatConfigError(
        'CONFIG_BAD_ORIGIN',
        `invalid origin ${JSON.stringify(origin)} in ${from}: expected scheme://host[:port] in lowercase (e.g. https://chat.example.com), or * for any`,
        '8',
      );
    }
  }
  return list;
}

/** `--max-room-size <n>` → `maxRoomSize` (commander's attribute name). */
function camel(flag: string): string {
  return flag
    .split(' ')[0]!
    .slice(2)
    .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function readTlsFile(path: string, from: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ChatConfigError(
      'CONFIG_TLS_UNREADABLE',
      `cannot read ${from} ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export { SERVER_OPTION_DEFAULTS };
