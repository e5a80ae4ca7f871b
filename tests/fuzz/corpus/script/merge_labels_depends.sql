-- strata:revision m0001
-- strata:revises a0004 b0001
-- strata:message merge
-- strata:branch-labels core extra
-- strata:depends-on u0002 users
-- strata:transaction off

-- strata:upgrade
VACUUM;
-- strata:downgrade
