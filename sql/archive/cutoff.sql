-- The cutoff of `todo-db archive --completed-before DURATION`, on the server's clock ($1: interval).
select now() - $1::interval as cutoff, now() as now
