import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUERY_PATTERNS, countTasksByStatus, createTask, deleteTask, listIncompleteTasks, listTasks, migrateUp, toggleTask, updateTask } from '../src/index.js';
import { ALL_BACKENDS, openFresh } from './support/backends.js';

describe.each(ALL_BACKENDS)('query patterns on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let alice: string;
  let bob: string;
  beforeEach(async () => {
    fresh = await openFresh(backend, 'queries');
    await migrateUp(fresh.handle);
    const users = await fresh.handle.db
      .insertInto('users')
      .values([{ email: 'alice-q@example.com' }, { email: 'bob-q@example.com' }])
      .returning(['id', 'email'])
      .execute();
    alice = users.find((u) => u.email.startsWith('alice'))!.id;
    bob = users.find((u) => u.email.startsWith('bob'))!.id;
  });
  afterEach(async () => {
    await fresh?.close();
  });

  it("creates, lists newest first, updates, toggles, counts and deletes a user's tasks", async () => {
    const { db } = fresh.handle;
    const first = await createTask(db, { user_id: alice, title: 'first', created_at: new Date('2026-01-01T00:00:00Z') });
    const second = await createTask(db, { user_id: alice, title: 'second', created_at: new Date('2026-01-02T00:00:00Z') });
    await createTask(db, { user_id: bob, title: 'bob only' });
    expect(first).toMatchObject({ user_id: alice, title: 'first', completed: false, description: null });
    expect((await listTasks(db, alice, 10)).map((t) => t.title)).toEqual(['second', 'first']);
    expect((await listTasks(db, alice, 1)).map((t) => t.title)).toEqual(['second']);

    expect(await updateTask(db, first.id, alice, { title: 'first, edited', description: 'with detail' })).toMatchObject({ title: 'first, edited', description: 'with detail' });
    expect(await toggleTask(db, second.id, alice)).toBe(true);
    expect((await listIncompleteTasks(db, alice)).map((t) => t.title)).toEqual(['first, edited']);
    expect(await countTasksByStatus(db, alice)).toEqual({ completed: 1, open: 1 });
    expect(await toggleTask(db, second.id, alice)).toBe(true);
    expect(await countTasksByStatus(db, alice)).toEqual({ completed: 0, open: 2 });

    expect(await deleteTask(db, first.id, alice)).toBe(true);
    expect((await listTasks(db, alice, 10)).map((t) => t.title)).toEqual(['second']);
    expect(await countTasksByStatus(db, bob)).toEqual({ completed: 0, open: 1 });
  });

  it("never touches a task through another user's id", async () => {
    const { db } = fresh.handle;
    const task = await createTask(db, { user_id: alice, title: 'mine' });
    expect(await updateTask(db, task.id, bob, { title: 'stolen', description: null })).toBeUndefined();
    expect(await toggleTask(db, task.id, bob)).toBe(false);
    expect(await deleteTask(db, task.id, bob)).toBe(false);
    expect(await listTasks(db, alice, 10)).toEqual([expect.objectContaining({ title: 'mine', completed: false })]);
  });
});

describe('QUERY_PATTERNS', () => {
  it('declares the seven patterns of schema.md once, with their targets and indexes', () => {
    expect(QUERY_PATTERNS.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(QUERY_PATTERNS.filter((p) => p.kind === 'crud').map((p) => p.targetMs)).toEqual([50, 50, 50, 50]);
    expect(QUERY_PATTERNS.find((p) => p.id === 1)?.expectedIndexes).toEqual(['idx_tasks_user_created']);
    expect(QUERY_PATTERNS.find((p) => p.id === 7)?.expectedIndexes).toEqual(['idx_tasks_user_completed']);
  });
});
