-- strata:revision c07b5e93d403
-- strata:revises 8d41e0c6a902
-- strata:message pinned notes
-- strata:created 2024-06-01 11:15:00

-- strata:upgrade
ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notes_pinned ON notes (pinned, created_at);

-- strata:downgrade
DROP INDEX notes_pinned;
ALTER TABLE notes DROP COLUMN pinned;
