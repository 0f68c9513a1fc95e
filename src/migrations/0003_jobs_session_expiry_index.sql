-- The hourly purge of expired sessions (identity.purge-expired-sessions) finds them by expiry.
create index sessions_by_expiry on sessions (expires_at);
