/*
 * mdb.h — libmariadb, loaded when the first MariaDB/MySQL connection is made.
 *
 * As with libpq (backends/postgres/pq.h), strata links SQLite only: libmariadb.so.3
 * (and the TLS libraries it brings) is opened with dlopen() by mdb_load(), so a
 * command on another database does not pay for loading it at every start. Each
 * client function the backend calls is a pointer in `strata_mdb`, and the mysql_
 * names below resolve to those pointers, so the backend's code reads as plain C API
 * calls. Include this header instead of <mysql.h>.
 */
#ifndef STRATA_MARIADB_MDB_H
#define STRATA_MARIADB_MDB_H

#include <mysql.h>

#include "util/err.h"

#define STRATA_MDB_FUNCS(X)                                                                 \
	X(mysql_init) X(mysql_options) X(mysql_real_connect) X(mysql_close)                 \
	X(mysql_real_query) X(mysql_store_result) X(mysql_free_result) X(mysql_num_rows)    \
	X(mysql_num_fields) X(mysql_fetch_row) X(mysql_fetch_lengths) X(mysql_next_result)  \
	X(mysql_more_results) X(mysql_errno) X(mysql_error) X(mysql_sqlstate)               \
	X(mysql_real_escape_string) X(mysql_field_count) X(mysql_get_server_info)           \
	X(mysql_get_server_version) X(mysql_select_db) X(mysql_thread_id) X(mysql_thread_end)

typedef struct strata_mdb_api {
#define STRATA_MDB_MEMBER(name) __typeof__(name) *name;
	STRATA_MDB_FUNCS(STRATA_MDB_MEMBER)
#undef STRATA_MDB_MEMBER
} strata_mdb_api;

extern strata_mdb_api strata_mdb;

/* Opens libmariadb once (libmariadb.so.3, or $STRATA_LIBMARIADB) and fills strata_mdb.
 * 0, or STRATA_EFAIL with a message saying what to install. Safe to call before every
 * connection. */
int mdb_load(strata_err *e);

/* mdb.c, which fills the table, uses the real names. */
#ifndef STRATA_MDB_REAL_NAMES
#define mysql_init strata_mdb.mysql_init
#define mysql_options strata_mdb.mysql_options
#define mysql_real_connect strata_mdb.mysql_real_connect
#define mysql_close strata_mdb.mysql_close
#define mysql_real_query strata_mdb.mysql_real_query
#define mysql_store_result strata_mdb.mysql_store_result
#define mysql_free_result strata_mdb.mysql_free_result
#define mysql_num_rows strata_mdb.mysql_num_rows
#define mysql_num_fields strata_mdb.mysql_num_fields
#define mysql_fetch_row strata_mdb.mysql_fetch_row
#define mysql_fetch_lengths strata_mdb.mysql_fetch_lengths
#define mysql_next_result strata_mdb.mysql_next_result
#define mysql_more_results strata_mdb.mysql_more_results
#define mysql_errno strata_mdb.mysql_errno
#define mysql_error strata_mdb.mysql_error
#define mysql_sqlstate strata_mdb.mysql_sqlstate
#define mysql_real_escape_string strata_mdb.mysql_real_escape_string
#define mysql_field_count strata_mdb.mysql_field_count
#define mysql_get_server_info strata_mdb.mysql_get_server_info
#define mysql_get_server_version strata_mdb.mysql_get_server_version
#define mysql_select_db strata_mdb.mysql_select_db
#define mysql_thread_id strata_mdb.mysql_thread_id
#define mysql_thread_end strata_mdb.mysql_thread_end
#endif

#endif
