-- strata:revision b
-- strata:downgrade
SELECT 1;
-- strata:upgrade
