import { constructWebSocketUrl } from './construct-websocket-url.js';
import { parseWebSocketUrl } from './parse-websocket-url.js';
import { validateWebSocketUrl } from './validate-websocket-url.js';
import type { WebSocketUrl } from './websocket-url.js';
import { isWs02Error } from './ws02-error.js';

/** The section 3 breakdown of a URL: what 3.1 parses, what 3.2 constructs, what 3.3 says. */
export interface WebSocketUrlReport {
  readonly input: string;
  readonly valid: boolean;
  readonly parts?: WebSocketUrl;
  readonly url?: string;
  readonly error?: {
    readonly code: string;
    readonly section: string;
    readonly step?: number | undefined;
    readonly message: string;
  };
}

/** Parses, reconstructs and validates `input`; never throws for bad input (it is reported). */
export function describeWebSocketUrl(
  input: string,
  context: {
    readonly origin?: string | undefined;
    readonly protocols?: readonly string[] | undefined;
  } = {},
): WebSocketUrlReport {
  let parts: WebSocketUrl | undefined;
  let url: string | undefined;
  try {
    parts = parseWebSocketUrl(input);
    url = constructWebSocketUrl(parts);
    validateWebSocketUrl({ ...parts, origin: context.origin, protocols: context.protocols });
    return { input, valid: true, parts, url };
  } catch (e) {
    if (!isWs02Error(e)) throw e;
    const error = { code: e.code, section: e.section, step: e.step, message: e.message };
    return { input, valid: false, ...(parts ? { parts, url } : {}), error };
  }
}

/** The report as aligned text lines, for terminals. */
export function formatWebSocketUrlReport(report: WebSocketUrlReport): string {
  const lines = [`input          ${JSON.stringify(report.input)}`];
  if (report.parts) {
    lines.push(
      `secure         ${report.parts.secure} (${report.parts.secure ? 'wss' : 'ws'})`,
      `host           ${report.parts.host}`,
      `port           ${report.parts.port}`,
      `resource name  ${report.parts.resourceName}`,
      `constructed    ${report.url}`,
    );
  }
  lines.push(
    report.valid
      ? 'valid          yes (section 3.3)'
      : `valid          no: ${report.error?.message}`,
  );
  return lines.join('\n');
}
