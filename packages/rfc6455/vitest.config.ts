import { coreConfig } from '../../vitest.shared.js';

export default coreConfig();
