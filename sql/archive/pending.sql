-- How many tasks `todo-db archive` would move for a cutoff ($1), and their range.
select count(*)::int as tasks,
       min(updated_at) as oldest,
       max(updated_at) as newest
from tasks
where completed and updated_at < $1
