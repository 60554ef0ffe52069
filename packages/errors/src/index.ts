export {
  type ErrorDetail,
  isWs02Error,
  type Spec,
  Ws02Error,
  type Ws02ErrorOptions,
} from './ws02-error.js';
