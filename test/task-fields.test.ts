import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, migrateUp, updateTask, UsageError } from '../src/index.js';
import { ALL_BACKENDS, SERVER_BACKENDS, openFresh } from './support/backends.js';

const USER = '00000000-0000-4000-8000-0000000000f1';

describe.each(ALL_BACKENDS)('task text is checked before it reaches %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let taskId: string;
  beforeAll(async () => {
    fresh = await openFresh(backend, 'taskfields');
    await migrateUp(fresh.handle);
    await fresh.handle.db.insertInto('users').values({ id: USER, email: 'fields@example.org' }).execute();
    taskId = (await createTask(fresh.handle.db, { user_id: USER, title: 'kept as it was' })).id;
  });
  afterAll(async () => {
    await fresh?.close();
  });

  const bad: Array<[string, { title: unknown; description?: unknown }, RegExp]> = [
    ['an empty title', { title: '' }, /cannot be empty or only spaces/],
    ['a title of spaces', { title: '   \t ' }, /cannot be empty or only spaces/],
    ['a NUL byte in the title', { title: 'a\0b' }, /cannot contain a NUL byte/],
    ['a NUL byte in the description', { title: 'ok', description: 'x\0' }, /description cannot contain a NUL byte/],
    ['a 201-character title', { title: 'é'.repeat(201) }, /at most 200 characters, got 201/],
    ['a 1001-character description', { title: 'ok', description: 'd'.repeat(1001) }, /description is at most 1000 characters/],
    ['a title that is not text', { title: 42 }, /must be text, got number/],
  ];

  it.each(bad)('refuses %s with one clear message and writes nothing', async (_name, fields, message) => {
    const rows = () => fresh.handle.db.selectFrom('tasks').select(['id', 'title', 'description']).orderBy('id').execute();
    const before = await rows();
    const create = createTask(fresh.handle.db, { user_id: USER, ...(fields as { title: string }) });
    await expect(create).rejects.toThrow(UsageError);
    await expect(create).rejects.toThrow(message);
    const update = updateTask(fresh.handle.db, taskId, USER, { description: null, ...(fields as { title: string }) });
    await expect(update).rejects.toThrow(message);
    expect(await rows()).toEqual(before);
  });
});

// pg-mem counts UTF-16 code units, not characters, so an emoji title is PostgreSQL's case only.
describe.each(SERVER_BACKENDS)('a full-length title on %s', (backend) => {
  it('keeps 200 characters of emoji, quotes and backslashes unchanged', async () => {
    const fresh = await openFresh(backend, 'taskfields200');
    try {
      await migrateUp(fresh.handle);
      await fresh.handle.db.insertInto('users').values({ id: USER, email: 'fields@example.org' }).execute();
      const title = `"'\\😀`.repeat(50);
      expect([...title]).toHaveLength(200);
      const task = await createTask(fresh.handle.db, { user_id: USER, title });
      expect(task.title).toBe(title);
    } finally {
      await fresh.close();
    }
  });
});
