/*
 * embedded: files compiled into libstrata (the files of src/providers/, by tools/gen_embed.sh):
 * the Python schema providers and history importers, run with the user's interpreter
 * as `python -c TEXT ARG…`.
 */
#ifndef STRATA_CORE_EMBEDDED_H
#define STRATA_CORE_EMBEDDED_H

/* The NUL-terminated text of the embedded file `name` (its base name), or NULL. */
const char *strata_embedded(const char *name);

#endif
