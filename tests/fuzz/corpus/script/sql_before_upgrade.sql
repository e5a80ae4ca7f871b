-- strata:revision b2
CREATE TABLE x (id INT);
-- strata:upgrade
