import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db cleanup` (not built yet). */
export function registerCleanup(_program: Command, _app: App): void {}
