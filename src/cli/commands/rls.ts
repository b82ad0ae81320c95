import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db rls` (not built yet). */
export function registerRls(_program: Command, _app: App): void {}
