/*
 * types.c — MariaDB's type-narrowing rule for the diff.
 *
 * Column types are enforced: MODIFY COLUMN converts every stored value, and in strict
 * mode a value the new type cannot hold fails the statement. A change is a widening
 * (no warning) only when every value of the old type fits the new one: a wider integer
 * (signed → unsigned never), an integer into a DECIMAL with enough integer digits or a
 * floating type that holds it exactly, FLOAT → DOUBLE, a DECIMAL with no fewer integer
 * and fractional digits, a string or binary type with no less room (VARCHAR → CHAR never:
 * CHAR strips trailing spaces), numbers and times into a TEXT type, an ENUM or SET that
 * only gains values at its end, more fractional seconds, DATE → DATETIME, a wider BIT.
 * Types are COLUMN_TYPE as introspection writes them ("INT(11) UNSIGNED", "VARCHAR(80)",
 * "DECIMAL(10,2)", "ENUM('a','b')"); the display width of an integer means nothing here.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A column type taken apart. */
typedef struct my_type {
	char base[24];     /* upper-cased first word: "INT", "VARCHAR", "ENUM" */
	long p1, p2;       /* the numbers in the parentheses, -1 when absent */
	const char *list;  /* ENUM/SET: the text from '(' on */
	int is_unsigned;   /* UNSIGNED or ZEROFILL */
} my_type;

static void parse_type(my_type *t, const char *type)
{
	size_t k = 0;
	const char *p = type;
	while (*p == ' ')
		p++;
	while ((isalpha((unsigned char)*p) || *p == '_') && k + 1 < sizeof t->base)
		t->base[k++] = (char)toupper((unsigned char)*p++);
	t->base[k] = '\0';
	t->p1 = t->p2 = -1;
	t->list = NULL;
	while (*p == ' ')
		p++;
	if (*p == '(') {
		t->list = p;
		char *end;
		t->p1 = strtol(p + 1, &end, 10);
		if (end == p + 1)
			t->p1 = -1;
		else if (*end == ',')
			t->p2 = strtol(end + 1, NULL, 10);
	}
	t->is_unsigned = strstr(type, "UNSIGNED") || strstr(type, "unsigned") ||
			 strstr(type, "ZEROFILL") || strstr(type, "zerofill");
}

static int is(const my_type *t, const char *base)
{
	return strcmp(t->base, base) == 0;
}

/* Integer types by bytes, 0 for others. */
static int int_bytes(const my_type *t)
{
	return is(t, "TINYINT") || is(t, "BOOL") || is(t, "BOOLEAN") ? 1
	       : is(t, "SMALLINT")				    ? 2
	       : is(t, "MEDIUMINT")				    ? 3
	       : is(t, "INT") || is(t, "INTEGER")		    ? 4
	       : is(t, "BIGINT")				    ? 8
								    : 0;
}

/* Decimal digits an integer type of `bytes` needs. */
static long int_digits(int bytes, int is_unsigned)
{
	return bytes == 1 ? 3 : bytes == 2 ? 5 : bytes == 3 ? 8 : bytes == 4 ? 10
	       : is_unsigned ? 20 : 19;
}

/* The bytes a string or binary type holds at most (a character counted as four
 * bytes, utf8mb4's widest), 0 for other types; *fixed for CHAR and BINARY. */
static long room(const my_type *t, int *text, int *fixed)
{
	*fixed = is(t, "CHAR") || is(t, "BINARY");
	*text = is(t, "CHAR") || is(t, "VARCHAR") || strstr(t->base, "TEXT") != NULL;
	if (is(t, "CHAR") || is(t, "VARCHAR"))
		return (t->p1 < 0 ? 1 : t->p1) * 4;
	if (is(t, "BINARY") || is(t, "VARBINARY"))
		return t->p1 < 0 ? 1 : t->p1;
	return is(t, "TINYTEXT") || is(t, "TINYBLOB")	    ? 255L
	       : is(t, "TEXT") || is(t, "BLOB")		    ? 65535L
	       : is(t, "MEDIUMTEXT") || is(t, "MEDIUMBLOB") ? 16777215L
	       : is(t, "LONGTEXT") || is(t, "LONGBLOB")	    ? 4294967295L
							    : 0;
}

/* DECIMAL(p,s) with its defaults (10, 0). */
static void decimal_digits(const my_type *t, long *p, long *s)
{
	*p = t->p1 < 0 ? 10 : t->p1;
	*s = t->p2 < 0 ? 0 : t->p2;
}

static int is_decimal(const my_type *t)
{
	return is(t, "DECIMAL") || is(t, "NUMERIC") || is(t, "DEC") || is(t, "FIXED");
}

static int is_time(const my_type *t)
{
	return is(t, "DATE") || is(t, "DATETIME") || is(t, "TIMESTAMP") || is(t, "TIME") ||
	       is(t, "YEAR");
}

/* Whether ENUM/SET list `a` is the start of list `b`: b only adds values at its end. */
static int list_extends(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n < 2 || a[n - 1] != ')')
		return 0;
	return strncmp(a, b, n - 1) == 0 && (b[n - 1] == ',' || b[n - 1] == ')');
}

/* See mariadb_internal.h. */
int my_type_narrows(const char *from, const char *to)
{
	if (strcasecmp(from, to) == 0)
		return 0;
	my_type a, b;
	parse_type(&a, from);
	parse_type(&b, to);
	int ia = int_bytes(&a), ib = int_bytes(&b);
	if (ia && ib) /* unsigned into a wider signed type, or the same signedness no narrower */
		return !(a.is_unsigned == b.is_unsigned ? ib >= ia : a.is_unsigned && ib > ia);
	if (ia && is_decimal(&b)) {
		long p, s;
		decimal_digits(&b, &p, &s);
		return (!a.is_unsigned && b.is_unsigned) || p - s < int_digits(ia, a.is_unsigned);
	}
	if (ia && (is(&b, "DOUBLE") || is(&b, "REAL")))
		return ia > 4 || b.is_unsigned;
	if (ia && is(&b, "FLOAT"))
		return ia > 3 || b.is_unsigned;
	if (is(&a, "FLOAT") && (is(&b, "DOUBLE") || is(&b, "REAL")))
		return a.p1 >= 0 || b.p1 >= 0 || (!a.is_unsigned && b.is_unsigned);
	if (is_decimal(&a) && is_decimal(&b)) {
		long pa, sa, pb, sb;
		decimal_digits(&a, &pa, &sa);
		decimal_digits(&b, &pb, &sb);
		return (!a.is_unsigned && b.is_unsigned) || sb < sa || pb - sb < pa - sa;
	}
	int ta, tb, fa, fb;
	long ra = room(&a, &ta, &fa), rb = room(&b, &tb, &fb);
	if ((ia || is_decimal(&a) || is(&a, "DOUBLE") || is(&a, "FLOAT") || is_time(&a)) &&
	    tb && !fb && rb >= 65535L)
		return 0; /* every such value has a short text form */
	if (ra && rb)
		return ta != tb || rb < ra || (fb && !fa);
	if ((is(&a, "ENUM") && is(&b, "ENUM")) || (is(&a, "SET") && is(&b, "SET")))
		return !(a.list && b.list && list_extends(a.list, b.list));
	if (is(&a, "DATE") && is(&b, "DATETIME"))
		return 0;
	if (strcmp(a.base, b.base) == 0 && (is(&a, "DATETIME") || is(&a, "TIMESTAMP") || is(&a, "TIME")))
		return (b.p1 < 0 ? 0 : b.p1) < (a.p1 < 0 ? 0 : a.p1); /* fractional seconds */
	if (is(&a, "BIT") && is(&b, "BIT"))
		return (b.p1 < 0 ? 1 : b.p1) < (a.p1 < 0 ? 1 : a.p1);
	return 1;
}
