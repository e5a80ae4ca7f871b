-- strata:revision v
-- strata:message ab 	
-- strata:created xy
-- strata:upgrade
SELECT 1;