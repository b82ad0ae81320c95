import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db seed` (not built yet). */
export function registerSeed(_program: Command, _app: App): void {}
