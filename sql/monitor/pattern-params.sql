-- A real task and its owner to run the query patterns for: the newest task
-- (one index probe on idx_tasks_created_at, constant time on any size).
select id as task_id, user_id from tasks order by created_at desc limit 1;
