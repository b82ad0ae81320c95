-- Better Auth sessions past expires_at (contract v1.2.0): Better Auth deletes an
-- expired session only when its cookie comes back, so abandoned ones pile up.
SELECT count(*) FILTER (WHERE expires_at < now())::int AS expired, count(*)::int AS total FROM sessions
