import { ClientError } from './client-error.js';

/** A resolved HTTP proxy (5.1 step 3). */
export interface ProxyConfig {
  /** Proxy host name or address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** `Basic` credentials from the proxy URL's userinfo or the `proxyAuth` option, if any. */
  readonly credentials: string | undefined;
  /** The proxy URL without credentials, for messages. */
  readonly display: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The proxy URL for a connection: the `proxy` option when given (`false` = none), else the
 * environment as curl and most tools read it: `https_proxy`/`HTTPS_PROXY` for wss,
 * `http_proxy`/`HTTP_PROXY` for ws, then `all_proxy`/`ALL_PROXY`, unless `no_proxy`/`NO_PROXY`
 * matches the host.
 */
export function proxyFromEnvironment(
  host: string,
  port: number,
  secure: boolean,
  env: Env = process.env,
): string | undefined {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const url = (secure ? pick('https_proxy') : pick('http_proxy')) ?? pick('all_proxy');
  if (url === undefined) return undefined;
  if (noProxyMatches(pick('no_proxy'), host, port)) return undefined;
  return url;
}

/**
 * `NO_PROXY`: comma- or space-separated entries; `*` matches every host; `host` or `.host` or
 * `*.host` matches the host and its subdomains; an entry may end in `:port`. Hosts compare
 * case-insensitively; IPv6 literals may be written with or without brackets.
 */
export function noProxyMatches(list: string | undefined, host: string, port: number): boolean {
  if (list === undefined || list.trim() === '') return false;
  const name = stripBrackets(host).toLowerCase();
  for (const raw of list.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    // A bare IPv6 literal has colons too: only `[v6]:port` or `name:port` carry a port.
    if (portMatch && (!entry.includes('::') || entry.startsWith('['))) {
      entry = portMatch[1]!;
      entryPort = Number(portMatch[2]);
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = stripBrackets(entry);
    if (entry.startsWith('*.')) entry = entry.slice(2);
    else if (entry.startsWith('.')) entry = entry.slice(1);
    if (name === entry || name.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** Parses a proxy URL (`http://[user:pass@]host[:port]`); only plain HTTP proxies are spoken. */
export function parseProxyUrl(proxy: string, proxyAuth: string | undefined): ProxyConfig {
  let url: URL;
  try {
    url = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  } catch (cause) {
    throw new ClientError('CLIENT_INVALID_OPTION', '5.1', `proxy is not a URL: ${proxy}`, {
      step: 3,
      cause,
    });
  }
  if (url.protocol !== 'http:') {
    throw new ClientError(
      'CLIENT_INVALID_OPTION',
      '5.1',
      `only http:// proxies (CONNECT) are supported, got ${url.protocol}//`,
      { step: 3 },
    );
  }
  let credentials: string | undefined;
  if (proxyAuth !== undefined) credentials = Buffer.from(proxyAuth).toString('base64');
  else if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    credentials = Buffer.from(`${user}:${pass}`).toString('base64');
  }
  return {
    host: stripBrackets(url.hostname),
    port: url.port === '' ? 80 : Number(url.port),
    credentials,
    display: `http://${url.host}`,
  };
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
