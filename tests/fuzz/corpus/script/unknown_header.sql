-- strata:revision b2
-- strata:revises b1
-- strata:colour blue
-- strata:upgrade
SELECT 1;
