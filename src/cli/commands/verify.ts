import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db verify` (not built yet). */
export function registerVerify(_program: Command, _app: App): void {}
