-- strata:revision 8d41e0c6a902
-- strata:revises 3f9c2a7be101
-- strata:message tags
-- strata:created 2024-05-09 14:30:00

-- strata:upgrade
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE note_tags (
    note_id INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (note_id, tag_id)
);
INSERT INTO tags (name) VALUES ('inbox');

-- strata:downgrade
DROP TABLE note_tags;
DROP TABLE tags;
