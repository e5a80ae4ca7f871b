CREATE FUNCTION g() RETURNS void AS $fn$
BEGIN
  EXECUTE $$CREATE TABLE a (x int);$$;
  PERFORM $q$;$q$, $fnx$ $fn $b$a$;
END
$fn$ LANGUAGE plpgsql;
PREPARE p AS SELECT $1, a$$b;
