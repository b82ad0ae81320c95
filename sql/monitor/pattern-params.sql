-- The user and task the query patterns run for: a user with a typical number of
-- tasks, the median of up to 25 users taken in id order (random uuids, so a
-- random sample; one users_pkey range read), each count stopping at 10,000 rows.
-- Not the owner of the newest task, who may be the development user with three
-- tasks, whose plans say little about a user with a hundred. Falls back to the
-- newest task's owner when none of the sample has tasks.
with sample as (
  select u.id, (select count(*) from (select 1 from tasks t where t.user_id = u.id limit 10000) x) as n
  from (select id from users order by id limit 25) u
), typical as (
  select id, n from sample where n > 0
  order by n, id offset (select count(*) / 2 from sample where n > 0) limit 1
), picked as (
  select coalesce((select id from typical), (select user_id from tasks order by created_at desc limit 1)) as user_id
)
select t.id as task_id, t.user_id, (select n from typical)::int as user_tasks
from picked p cross join lateral (
  select id, user_id from tasks where user_id = p.user_id order by created_at desc limit 1
) t;
