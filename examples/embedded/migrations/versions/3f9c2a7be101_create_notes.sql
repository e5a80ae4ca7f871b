-- strata:revision 3f9c2a7be101
-- strata:message create notes
-- strata:created 2024-05-02 09:00:00

-- strata:upgrade
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

-- strata:downgrade
DROP TABLE notes;
