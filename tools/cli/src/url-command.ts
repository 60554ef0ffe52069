import { describeWebSocketUrl, formatWebSocketUrlReport } from '@ws02/url';
import { EXIT } from './exit-codes.js';

export interface UrlCommandOptions {
  readonly origin?: string;
  readonly protocol?: string[];
  readonly json?: boolean;
}

/**
 * `ws02 url <url>`: the section 3 breakdown — what 3.1 parses, what 3.2 constructs, whether 3.3
 * accepts it (with the origin and protocols a connection would use). Exit 0 valid, 1 invalid.
 */
export function runUrl(input: string, opts: UrlCommandOptions): number {
  const report = describeWebSocketUrl(input, { origin: opts.origin, protocols: opts.protocol });
  process.stdout.write(
    `${opts.json === true ? JSON.stringify(report, null, 2) : formatWebSocketUrlReport(report)}\n`,
  );
  return report.valid ? EXIT.OK : EXIT.CONNECT_FAILED;
}
