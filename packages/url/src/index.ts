export { isWs02Error, Ws02Error, type Ws02ErrorOptions } from './ws02-error.js';
