/*
 * alloc.c - the library's allocator: malloc and friends, with a test-only
 * fault simulator.
 *
 * Built with -DTC_FAULTSIM (make faultsim), the environment variable
 * TCUM_FAULTSIM=N makes the N-th allocation fail (and every later one too,
 * as SQLite's "persistent" faults do, so an out-of-memory path cannot be
 * rescued by a lucky retry), and TCUM_FAULTSIM_COUNT=FILE appends the
 * number of allocations made to FILE at exit (a line per process).  The ordinary build has neither: the
 * functions are malloc, calloc, realloc and free, and no global state is
 * touched.
 */
#include "tc_private.h"

#ifdef TC_FAULTSIM
#include <stdio.h>

static long fault_at = -1;    /* the allocation that fails first, -1: none */
static long fault_count;      /* allocations so far */
static int fault_ready;

static void fault_report(void)
{
    const char *path = getenv("TCUM_FAULTSIM_COUNT");
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) {
            fprintf(f, "%ld\n", fault_count);
            fclose(f);
        }
    }
}

/* Whether this allocation is to fail. */
static bool fault(void)
{
    if (!fault_ready) {
        const char *s = getenv("TCUM_FAULTSIM");
        fault_at = s ? atol(s) : -1;
        fault_ready = 1;
        atexit(fault_report);
    }
    fault_count++;
    return fault_at > 0 && fault_count >= fault_at;
}
#else
static bool fault(void)
{
    return false;
}
#endif

void *tc_malloc(size_t n)
{
    return fault() ? NULL : malloc(n);
}

void *tc_calloc(size_t n, size_t size)
{
    return fault() ? NULL : calloc(n, size);
}

void *tc_realloc(void *p, size_t n)
{
    return fault() ? NULL : realloc(p, n);
}

void tc_free(void *p)
{
    free(p);
}
