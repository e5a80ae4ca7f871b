-- header
/* block; comment */
SELECT 'it''s; here', "q""i;d" -- tail;
, 2;
