-- a comment

-- strata:revision b
-- strata:upgrade
-- strata:rebuild t
-- strata:revision evil
CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;
-- strata:downgrade
DROP TRIGGER t;
