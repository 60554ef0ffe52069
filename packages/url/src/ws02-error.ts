// The base error moved to @ws02/errors (the lowest layer: every package extends it). Exported
// here as well, so code importing it from @ws02/url keeps working.
export {
  type ErrorDetail,
  isWs02Error,
  Ws02Error,
  type Ws02ErrorOptions,
} from '@ws02/errors';
