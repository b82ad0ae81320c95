-- Installed extensions: checks that need one (pg_stat_statements) run only where it is.
select extname as name from pg_extension order by extname;
