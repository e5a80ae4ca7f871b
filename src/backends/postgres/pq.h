/*
 * pq.h — libpq, loaded when the first PostgreSQL connection is made.
 *
 * strata links SQLite only; libpq (and the TLS, Kerberos and LDAP libraries it
 * brings) is opened with dlopen() by pq_load(), so a command on a SQLite database does
 * not pay for loading them at every start. Each libpq function the backend calls is a
 * pointer in `strata_pq`, and the PQ names below resolve to those pointers, so the
 * backend's code reads as plain libpq. Include this header instead of <libpq-fe.h>.
 */
#ifndef STRATA_POSTGRES_PQ_H
#define STRATA_POSTGRES_PQ_H

#include <libpq-fe.h>

#include "util/err.h"

#define STRATA_PQ_FUNCS(X)                                                                 \
	X(PQclear) X(PQntuples) X(PQnfields) X(PQresultStatus) X(PQresultErrorField)       \
	X(PQexec) X(PQexecParams) X(PQgetResult) X(PQerrorMessage) X(PQgetvalue)           \
	X(PQgetisnull) X(PQtransactionStatus) X(PQstatus) X(PQfinish) X(PQdb) X(PQuser)   \
	X(PQsetNoticeProcessor) X(PQconninfoFree) X(PQconninfo) X(PQconnectdbParams)       \
	X(PQputCopyEnd) X(PQgetCopyData) X(PQfreemem) X(PQcmdStatus) X(PQgetCancel)         \
	X(PQfreeCancel) X(PQcancel) X(PQsendQuery) X(PQescapeLiteral)

typedef struct strata_pq_api {
#define STRATA_PQ_MEMBER(name) __typeof__(name) *name;
	STRATA_PQ_FUNCS(STRATA_PQ_MEMBER)
#undef STRATA_PQ_MEMBER
} strata_pq_api;

extern strata_pq_api strata_pq;

/* Opens libpq once per process (libpq.so.5, or $STRATA_LIBPQ) and fills strata_pq. 0, or
 * STRATA_EFAIL with a message saying what to install (a failed load is not retried). Safe
 * to call before every connection, from any thread. */
int pq_load(strata_err *e);

/* pq.c, which fills the table, uses the real names. */
#ifndef STRATA_PQ_REAL_NAMES
#define PQclear strata_pq.PQclear
#define PQntuples strata_pq.PQntuples
#define PQnfields strata_pq.PQnfields
#define PQresultStatus strata_pq.PQresultStatus
#define PQresultErrorField strata_pq.PQresultErrorField
#define PQexec strata_pq.PQexec
#define PQexecParams strata_pq.PQexecParams
#define PQgetResult strata_pq.PQgetResult
#define PQerrorMessage strata_pq.PQerrorMessage
#define PQgetvalue strata_pq.PQgetvalue
#define PQgetisnull strata_pq.PQgetisnull
#define PQtransactionStatus strata_pq.PQtransactionStatus
#define PQstatus strata_pq.PQstatus
#define PQfinish strata_pq.PQfinish
#define PQdb strata_pq.PQdb
#define PQuser strata_pq.PQuser
#define PQsetNoticeProcessor strata_pq.PQsetNoticeProcessor
#define PQconninfoFree strata_pq.PQconninfoFree
#define PQconninfo strata_pq.PQconninfo
#define PQconnectdbParams strata_pq.PQconnectdbParams
#define PQputCopyEnd strata_pq.PQputCopyEnd
#define PQgetCopyData strata_pq.PQgetCopyData
#define PQfreemem strata_pq.PQfreemem
#define PQcmdStatus strata_pq.PQcmdStatus
#define PQgetCancel strata_pq.PQgetCancel
#define PQfreeCancel strata_pq.PQfreeCancel
#define PQcancel strata_pq.PQcancel
#define PQsendQuery strata_pq.PQsendQuery
#define PQescapeLiteral strata_pq.PQescapeLiteral
#endif

#endif
