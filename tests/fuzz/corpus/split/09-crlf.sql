CREATE TABLE t(
  a INT
);
-- c
SELECT 'x
y';
