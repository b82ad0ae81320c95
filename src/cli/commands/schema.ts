import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db schema` (not built yet). */
export function registerSchema(_program: Command, _app: App): void {}
