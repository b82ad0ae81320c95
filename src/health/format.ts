/** Human units for check messages: the shared text helpers (src/text.ts). */
export { formatBytes, formatSeconds, percent } from '../text.js';
