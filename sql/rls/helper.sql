-- The current-user helper ($1: function name) in the current schema: volatility and body.
SELECT p.proname AS name,
       CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END AS volatility,
       pg_get_function_result(p.oid) AS returns,
       p.prosrc AS body
FROM pg_proc p
WHERE p.proname = $1 AND p.pronargs = 0 AND p.pronamespace = current_schema()::regnamespace
