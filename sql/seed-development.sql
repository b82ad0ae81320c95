-- todo-db development seed, for psql: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/seed-development.sql
-- Generated from seeds/0001_development.js by `todo-db seed --sql`; edit that file, not this one.
-- Same effect as `todo-db seed`: inserts missing rows, puts back edited seed rows, leaves
-- unchanged rows (and their updated_at) alone. Run as the maintenance role (owner or superuser).
begin;

insert into users (id, email, email_verified, name, image, created_at, updated_at) values
  ('00000000-5eed-4000-8000-00000000a11c', 'alice@example.com', true, 'Alice Example', null, '2026-09-01T08:30:00.000Z', '2026-09-01T08:30:00.000Z'),
  ('00000000-5eed-4000-8000-000000000b0b', 'bob@example.com', true, 'Bob Example', 'https://example.com/avatars/bob.png', '2026-09-03T17:05:00.000Z', '2026-09-03T17:05:00.000Z'),
  ('00000000-5eed-4000-8000-0000000ca201', 'carol@example.com', false, 'Carol Example', null, '2026-10-12T11:45:00.000Z', '2026-10-12T11:45:00.000Z')
on conflict (id) do update set
  email = excluded.email,
  email_verified = excluded.email_verified,
  name = excluded.name,
  image = excluded.image,
  created_at = excluded.created_at,
  updated_at = excluded.updated_at
where (users.email, users.email_verified, users.name, users.image, users.created_at)
  is distinct from (excluded.email, excluded.email_verified, excluded.name, excluded.image, excluded.created_at);

insert into tasks (id, user_id, title, description, completed, created_at, updated_at) values
  ('00000000-5eed-4000-9000-a11c00000001', '00000000-5eed-4000-8000-00000000a11c', 'Set up the project repository', 'Create the repo, add the README and the CI workflow.', true, '2026-09-01T09:00:00.000Z', '2026-09-02T16:20:00.000Z'),
  ('00000000-5eed-4000-9000-a11c00000002', '00000000-5eed-4000-8000-00000000a11c', 'Write the database migrations', 'users and tasks, then RLS. Check them against schema.md.', true, '2026-09-02T10:15:00.000Z', '2026-09-05T12:00:00.000Z'),
  ('00000000-5eed-4000-9000-a11c00000003', '00000000-5eed-4000-8000-00000000a11c', 'Review the sign-up flow', null, false, '2026-09-08T14:40:00.000Z', '2026-09-08T14:40:00.000Z'),
  ('00000000-5eed-4000-9000-a11c00000004', '00000000-5eed-4000-8000-00000000a11c', 'Book the team retro', 'Thursday afternoon works for everyone except Bob.', false, '2026-10-01T08:05:00.000Z', '2026-10-01T08:05:00.000Z'),
  ('00000000-5eed-4000-9000-a11c00000005', '00000000-5eed-4000-8000-00000000a11c', 'Renew the TLS certificate', null, false, '2026-11-02T19:30:00.000Z', '2026-11-02T19:30:00.000Z'),
  ('00000000-5eed-4000-9000-0b0b00000001', '00000000-5eed-4000-8000-000000000b0b', 'Buy groceries', 'Milk, eggs, coffee beans, and something for Saturday.', true, '2026-09-04T07:50:00.000Z', '2026-09-04T18:10:00.000Z'),
  ('00000000-5eed-4000-9000-0b0b00000002', '00000000-5eed-4000-8000-000000000b0b', 'Fix the flaky login test', 'It fails about one run in twenty on CI; probably a race with the session cookie.', false, '2026-09-10T13:25:00.000Z', '2026-09-10T13:25:00.000Z'),
  ('00000000-5eed-4000-9000-0b0b00000003', '00000000-5eed-4000-8000-000000000b0b', 'Call the plumber about the kitchen sink', null, false, '2026-09-21T09:00:00.000Z', '2026-09-21T09:00:00.000Z'),
  ('00000000-5eed-4000-9000-0b0b00000004', '00000000-5eed-4000-8000-000000000b0b', 'Draft the "What''s new" post', 'Mention dark mode and the faster task list.', true, '2026-10-15T15:00:00.000Z', '2026-10-20T10:45:00.000Z'),
  ('00000000-5eed-4000-9000-0b0b00000005', '00000000-5eed-4000-8000-000000000b0b', 'Read "Designing Data-Intensive Applications"', null, false, '2026-11-05T21:10:00.000Z', '2026-11-05T21:10:00.000Z'),
  ('00000000-5eed-4000-9000-a20100000001', '00000000-5eed-4000-8000-0000000ca201', 'Verify my email address', 'The link in the welcome mail expires after 24 hours.', false, '2026-10-12T11:50:00.000Z', '2026-10-12T11:50:00.000Z'),
  ('00000000-5eed-4000-9000-a20100000002', '00000000-5eed-4000-8000-0000000ca201', 'Plan the trip to Lisbon', 'Flights, a hotel near Alfama, and a day trip to Sintra.', false, '2026-10-13T20:00:00.000Z', '2026-10-13T20:00:00.000Z'),
  ('00000000-5eed-4000-9000-a20100000003', '00000000-5eed-4000-8000-0000000ca201', 'Pay the electricity bill', null, true, '2026-10-20T08:00:00.000Z', '2026-10-21T08:30:00.000Z'),
  ('00000000-5eed-4000-9000-a20100000004', '00000000-5eed-4000-8000-0000000ca201', 'Return the library books', null, false, '2026-11-01T12:00:00.000Z', '2026-11-01T12:00:00.000Z')
on conflict (id) do update set
  user_id = excluded.user_id,
  title = excluded.title,
  description = excluded.description,
  completed = excluded.completed,
  created_at = excluded.created_at,
  updated_at = excluded.updated_at
where (tasks.user_id, tasks.title, tasks.description, tasks.completed, tasks.created_at)
  is distinct from (excluded.user_id, excluded.title, excluded.description, excluded.completed, excluded.created_at);

commit;
