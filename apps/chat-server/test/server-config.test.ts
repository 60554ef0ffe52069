import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isWs02Error, Ws02Error } from '@ws02/url';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ChatConfigError } from '../src/index.js';
import { parseServerConfig } from '../src/server-config.js';

const KEY = fileURLToPath(new URL('./fixtures/localhost-key.pem', import.meta.url));
const CERT = fileURLToPath(new URL('./fixtures/localhost-cert.pem', import.meta.url));

function configError(argv: string[], env: Record<string, string> = {}): ChatConfigError {
  try {
    parseServerConfig(argv, env);
  } catch (err) {
    if (err instanceof ChatConfigError) return err;
    throw err;
  }
  throw new Error(`no error for ${argv.join(' ')} ${JSON.stringify(env)}`);
}

describe('parseServerConfig: flags and environment', () => {
  it('defaults: 127.0.0.1:8080, any origin, history 100, heartbeat 30 s, level info', () => {
    const c = parseServerConfig([], {});
    expect(c.options).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      heartbeat: { interval: 30_000, timeout: 30_000 },
      maxConnections: 10_000,
      limits: { historySize: 100, maxTextLength: 2000, rate: 5, burst: 10, maxMessageBytes: 16384 },
    });
    expect(c.options.allowedOrigins).toBeUndefined();
    expect(c.options.tls).toBeUndefined();
    expect(c.logLevel).toBe('info');
  });

  it('--flush / CHAT_FLUSH: tick (default, not passed on), turn, or a delay in ms up to 1000', () => {
    expect(parseServerConfig([], {}).options.flush).toBeUndefined();
    expect(parseServerConfig(['--flush', 'turn'], {}).options.flush).toBe('turn');
    expect(parseServerConfig([], { CHAT_FLUSH: '2' }).options.flush).toBe(2);
    expect(
      parseServerConfig(['--flush', 'TICK'], { CHAT_FLUSH: '5' }).options.flush,
    ).toBeUndefined();
    const bad = configError(['--flush', 'soon']);
    expect(bad.code).toBe('CONFIG_BAD_NUMBER');
    expect(bad.message).toMatch(/invalid --flush "soon": expected an integer from 0 to 1000/);
    expect(configError([], { CHAT_FLUSH: '5000' }).message).toMatch(/invalid CHAT_FLUSH "5000"/);
  });

  it('environment variables, and flags winning over them', () => {
    const env = {
      CHAT_PORT: '9000',
      CHAT_HOST: '0.0.0.0',
      CHAT_HISTORY: '7',
      LOG_LEVEL: 'DEBUG',
      CHAT_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
      CHAT_HEARTBEAT: '0',
      CHAT_MAX_TEXT: '10000',
    };
    const c = parseServerConfig([], env);
    expect(c.options).toMatchObject({ port: 9000, host: '0.0.0.0', heartbeat: false });
    expect(c.options.limits).toMatchObject({
      historySize: 7,
      maxTextLength: 10_000,
      maxMessageBytes: 41_024,
    });
    expect(c.options.allowedOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(c.logLevel).toBe('debug');
    const f = parseServerConfig(
      ['--port', '9100', '--history', '3', '--allowed-origins', '*'],
      env,
    );
    expect(f.options.port).toBe(9100);
    expect(f.options.limits?.historySize).toBe(3);
    expect(f.options.allowedOrigins).toBeUndefined();
  });

  it('numbers: CONFIG_BAD_NUMBER naming where the value came from', () => {
    expect(configError(['--port', '65536']).code).toBe('CONFIG_BAD_NUMBER');
    expect(configError(['--port', '-1']).reason).toMatch(/^invalid --port "-1"/);
    expect(configError([], { CHAT_PORT: '80a' }).reason).toMatch(/^invalid CHAT_PORT "80a"/);
    expect(configError(['--rate', '0']).reason).toMatch(/--rate "0": expected an integer from 1/);
    expect(configError(['--heartbeat', '50']).reason).toMatch(/0 \(off\) or at least 100 ms/);
    expect(configError(['--history', '1.5']).code).toBe('CONFIG_BAD_NUMBER');
  });

  it('host, origins, log level', () => {
    expect(configError(['--host', ' ']).code).toBe('CONFIG_BAD_HOST');
    const origin = configError(['--allowed-origins', 'https://ok.example,https://x.example/path']);
    expect(origin.code).toBe('CONFIG_BAD_ORIGIN');
    expect(origin.section).toBe('8');
    expect(origin.reason).toContain('"https://x.example/path"');
    expect(configError(['--allowed-origins', 'https://Upper.example']).code).toBe(
      'CONFIG_BAD_ORIGIN',
    );
    expect(parseServerConfig(['--allowed-origins', 'null'], {}).options.allowedOrigins).toEqual([
      'null',
    ]);
    expect(configError(['--log-level', 'verbose']).code).toBe('CONFIG_BAD_LOG_LEVEL');
  });

  it('TLS: both files, readable, a usable pair', () => {
    expect(configError(['--tls-cert', CERT]).code).toBe('CONFIG_TLS_INCOMPLETE');
    const missing = configError(['--tls-key', '/nonexistent/key.pem', '--tls-cert', CERT]);
    expect(missing.code).toBe('CONFIG_TLS_UNREADABLE');
    expect(missing.reason).toMatch(/cannot read --tls-key "\/nonexistent\/key\.pem": ENOENT/);
    // The certificate given as the key: not a usable pair.
    expect(configError(['--tls-key', CERT, '--tls-cert', CERT]).code).toBe('CONFIG_TLS_UNREADABLE');
    const ok = parseServerConfig([], { CHAT_TLS_KEY: KEY, CHAT_TLS_CERT: CERT });
    expect(ok.tlsFiles).toEqual({ key: KEY, cert: CERT });
    expect(Buffer.isBuffer(ok.options.tls?.key)).toBe(true);
  });

  it('scale-out: workers, adapter, Redis URL, instance id, Redis timings', () => {
    // The default stays the embedded server: one process, in memory.
    expect(parseServerConfig([], {}).scale).toEqual({
      workers: 1,
      adapter: 'memory',
      redisUrl: undefined,
      instanceId: undefined,
      redisHeartbeat: 2000,
      redisTtl: 10_000,
    });
    expect(parseServerConfig(['--workers', '2'], {}).scale.adapter).toBe('cluster');
    expect(parseServerConfig([], { CHAT_WORKERS: 'auto' }).scale.workers).toBe(
      availableParallelism(),
    );
    expect(parseServerConfig(['--workers', '0'], {}).scale.workers).toBe(availableParallelism());
    expect(parseServerConfig(['--adapter', 'cluster'], {}).scale).toMatchObject({
      workers: 1,
      adapter: 'cluster',
    });
    expect(parseServerConfig(['--adapter', 'redis'], {}).scale.redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
    const redis = parseServerConfig(['--workers', '3', '--instance-id', 'web1'], {
      CHAT_REDIS_URL: 'rediss://user:pw@cache.example:6380/2',
      CHAT_REDIS_HEARTBEAT: '500',
      CHAT_REDIS_TTL: '1000',
    }).scale;
    expect(redis).toEqual({
      workers: 3,
      adapter: 'redis',
      redisUrl: 'rediss://user:pw@cache.example:6380/2',
      instanceId: 'web1',
      redisHeartbeat: 500,
      redisTtl: 1000,
    });

    expect(configError(['--workers', '257']).code).toBe('CONFIG_BAD_NUMBER');
    expect(configError(['--adapter', 'nats']).code).toBe('CONFIG_BAD_ADAPTER');
    expect(configError(['--workers', '2', '--adapter', 'memory']).code).toBe('CONFIG_BAD_ADAPTER');
    expect(configError(['--adapter', 'memory', '--redis-url', 'redis://x']).code).toBe(
      'CONFIG_BAD_ADAPTER',
    );
    for (const url of ['http://x', 'redis://', 'redis://x/a/b', 'not a url']) {
      expect(configError(['--redis-url', url]).code, url).toBe('CONFIG_BAD_REDIS_URL');
    }
    expect(configError(['--instance-id', 'UPPER']).code).toBe('CONFIG_BAD_INSTANCE_ID');
    expect(configError(['--instance-id', 'a'.repeat(25)]).code).toBe('CONFIG_BAD_INSTANCE_ID');
    expect(configError(['--redis-heartbeat', '50']).code).toBe('CONFIG_BAD_NUMBER');
    expect(configError(['--redis-ttl', '3000']).reason).toMatch(/at least twice --redis-heartbeat/);
  });

  it('usage errors are commander errors (exit status decided by main)', () => {
    expect(() =>
      parseServerConfig(['--nope'], {}, (p) => p.configureOutput({ writeErr: () => {} })),
    ).toThrow(CommanderError);
    expect(() =>
      parseServerConfig(['extra'], {}, (p) => p.configureOutput({ writeErr: () => {} })),
    ).toThrow(CommanderError);
  });

  it('ChatConfigError is a branded @ws02 error', () => {
    const err = configError(['--port', 'x']);
    expect(err.name).toBe('ChatConfigError');
    expect(err.message).toMatch(/\[CONFIG_BAD_NUMBER; draft-02 section app\]$/);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(Ws02Error);
    expect(isWs02Error(err, 'CONFIG_BAD_NUMBER')).toBe(true);
  });
});
