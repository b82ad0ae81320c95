import type { Compilable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { countTasksByStatusQuery, createTaskQuery, deleteTaskQuery, listIncompleteTasksQuery, listTasksQuery, toggleTaskQuery, updateTaskQuery } from './tasks.js';

/** The real rows a pattern is run for (monitor queries picks them from the database). */
export interface PatternParams {
  userId: string;
  taskId: string;
  limit: number;
}

export interface QueryPattern {
  /** the number in schema.md's table */
  id: number;
  name: string;
  kind: 'list' | 'crud';
  /** schema.md: list < 100 ms, CRUD < 50 ms */
  targetMs: number;
  /** any of these serving the pattern is right; empty: a plain insert reads no index */
  expectedIndexes: readonly string[];
  /** it changes rows (insert, update, delete): it cannot run on a standby */
  writes: boolean;
  /** the same query the app runs, not yet executed */
  build(db: Kysely<Database>, params: PatternParams): Compilable;
}

/** schema.md "Targets from the original spec". */
export const LIST_TARGET_MS = 100;
export const CRUD_TARGET_MS = 50;

/**
 * The seven query patterns of schema.md, in its order: monitor, tests and
 * benchmarks iterate over this table.
 */
export const QUERY_PATTERNS: readonly QueryPattern[] = [
  {
    id: 1,
    name: "list a user's tasks, newest first",
    kind: 'list',
    writes: false,
    targetMs: LIST_TARGET_MS,
    expectedIndexes: ['idx_tasks_user_created'],
    build: (db, p) => listTasksQuery(db, p.userId, p.limit),
  },
  {
    id: 2,
    name: "list a user's incomplete tasks",
    kind: 'list',
    writes: false,
    targetMs: LIST_TARGET_MS,
    expectedIndexes: ['idx_tasks_user_completed', 'idx_tasks_user_created'],
    build: (db, p) => listIncompleteTasksQuery(db, p.userId),
  },
  {
    id: 3,
    name: 'create a task',
    kind: 'crud',
    writes: true,
    targetMs: CRUD_TARGET_MS,
    expectedIndexes: [],
    build: (db, p) => createTaskQuery(db, { user_id: p.userId, title: 'monitor probe', description: null }),
  },
  {
    id: 4,
    name: 'update a task',
    kind: 'crud',
    writes: true,
    targetMs: CRUD_TARGET_MS,
    expectedIndexes: ['tasks_pkey'],
    build: (db, p) => updateTaskQuery(db, p.taskId, p.userId, { title: 'monitor probe', description: null }),
  },
  {
    id: 5,
    name: 'toggle completion',
    kind: 'crud',
    writes: true,
    targetMs: CRUD_TARGET_MS,
    expectedIndexes: ['tasks_pkey'],
    build: (db, p) => toggleTaskQuery(db, p.taskId, p.userId),
  },
  {
    id: 6,
    name: 'delete a task',
    kind: 'crud',
    writes: true,
    targetMs: CRUD_TARGET_MS,
    expectedIndexes: ['tasks_pkey'],
    build: (db, p) => deleteTaskQuery(db, p.taskId, p.userId),
  },
  {
    id: 7,
    name: "count a user's tasks by status",
    kind: 'list',
    writes: false,
    targetMs: LIST_TARGET_MS,
    expectedIndexes: ['idx_tasks_user_completed'],
    build: (db, p) => countTasksByStatusQuery(db, p.userId),
  },
];
