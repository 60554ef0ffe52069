import type { HandshakeCookie } from '@ws02/handshake';
import type { WebSocketUrl } from '@ws02/url';
import type { CookieJar } from 'tough-cookie';

/**
 * The resource steps 17 and 44 speak of: scheme `http` (ws) or `https` (wss), the host, the port
 * and the resource name as path and query. Cookies are matched and stored against it.
 */
export function cookieUrl(url: WebSocketUrl): string {
  return `${url.secure ? 'https' : 'http'}://${url.host}:${url.port}${url.resourceName}`;
}

/**
 * Step 17: the cookies relevant to that resource as one `Cookie` field value, HttpOnly ones
 * included ("the WebSocket protocol is not considered a non-HTTP API"); undefined when none.
 */
export async function cookieFieldFor(
  jar: CookieJar,
  url: WebSocketUrl,
): Promise<string | undefined> {
  if (jar.store.synchronous) return cookieFieldForSync(jar, url);
  const value = await jar.getCookieString(cookieUrl(url), { http: true });
  return value === '' ? undefined : value;
}

/** {@link cookieFieldFor} for a jar whose store is synchronous (tough-cookie's default). */
export function cookieFieldForSync(jar: CookieJar, url: WebSocketUrl): string | undefined {
  const value = jar.getCookieStringSync(cookieUrl(url), { http: true });
  return value === '' ? undefined : value;
}

/**
 * "Apply the cookies" (steps 49 and the end of 5.1): each `Set-Cookie` as RFC 6265 says, for the
 * same resource. `Set-Cookie2` (RFC 2965, obsolete) is not supported by the jar, so — as step 44
 * requires of an unsupported cookie specification — it is ignored. A cookie the jar refuses
 * (bad domain, public suffix, …) is ignored too, as a browser would. Returns a promise only for
 * an asynchronous store.
 */
export function applyCookies(
  jar: CookieJar,
  cookies: readonly HandshakeCookie[],
  url: WebSocketUrl,
): Promise<void> | undefined {
  const target = cookieUrl(url);
  if (!jar.store.synchronous) return applyCookiesAsync(jar, cookies, target);
  // A synchronous store (tough-cookie's default): applied at once, no promise.
  for (const cookie of cookies) {
    if (cookie.name === 'set-cookie')
      jar.setCookieSync(cookie.value, target, { ignoreError: true });
  }
  return undefined;
}

async function applyCookiesAsync(
  jar: CookieJar,
  cookies: readonly HandshakeCookie[],
  target: string,
): Promise<void> {
  for (const cookie of cookies) {
    if (cookie.name !== 'set-cookie') continue;
    await jar.setCookie(cookie.value, target, { ignoreError: true });
  }
}
