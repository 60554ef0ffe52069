import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Command, Option } from 'commander';
import { ChatConfigError } from './chat-error.js';
import { CHAT_DEFAULTS, type ChatServerOptions, SERVER_OPTION_DEFAULTS } from './chat-options.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The server's configuration after flags and environment were read and checked. */
export interface ServerConfig {
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
    options: {
      port,
      host,
      ...(allowedOrigins !== undefined ? { allowedOrigins } : {}),
      ...(tls !== undefined ? { tls } : {}),
      heartbeat: heartbeat === 0 ? false : { interval: heartbeat, timeout: heartbeat },
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
