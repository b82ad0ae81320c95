-- Where the user-id parameter $1 is set other than per transaction: for a role or
-- a database (ALTER ROLE/DATABASE … SET), or in the server's configuration. Only
-- settings that reach sessions of this database: another database's are its own.
SELECT coalesce(pg_get_userbyid(s.setrole)::text, 'every role') AS role_name,
       coalesce((SELECT datname::text FROM pg_database WHERE oid = s.setdatabase), 'every database') AS database_name,
       cfg AS setting
FROM pg_db_role_setting s, unnest(s.setconfig) AS cfg
WHERE cfg LIKE $1 || '=%'
  AND (s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
UNION ALL
SELECT 'server', source, name || '=' || setting FROM pg_settings WHERE name = $1 AND source NOT IN ('default', 'session', 'override')
