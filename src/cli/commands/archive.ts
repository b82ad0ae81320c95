import type { Command } from 'commander';
import type { App } from '../app.js';

/** Registers `todo-db archive` (not built yet). */
export function registerArchive(_program: Command, _app: App): void {}
