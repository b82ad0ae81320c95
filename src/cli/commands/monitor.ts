import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db monitor` (not built yet). */
export function registerMonitor(_program: Command, _app: App): void {}
