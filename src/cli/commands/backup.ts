import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db backup` (not built yet). */
export function registerBackup(_program: Command, _app: App): void {}
