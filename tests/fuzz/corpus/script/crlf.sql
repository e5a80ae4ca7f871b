-- strata:revision r2
-- strata:revises r1
-- strata:message crlf

-- strata:upgrade
SELECT 1;
-- strata:downgrade
SELECT 2;
