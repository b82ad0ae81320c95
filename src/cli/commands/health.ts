import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db health` (not built yet). */
export function registerHealth(_program: Command, _app: App): void {}
