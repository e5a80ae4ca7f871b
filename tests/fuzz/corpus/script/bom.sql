-- strata:revision bom
-- strata:upgrade
SELECT 1;
