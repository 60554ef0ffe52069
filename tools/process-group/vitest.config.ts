import { nodeConfig } from '../../vitest.shared.js';

export default nodeConfig();
