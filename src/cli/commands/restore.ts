import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db restore` (not built yet). */
export function registerRestore(_program: Command, _app: App): void {}
