/*
 * alloc.c - the library's allocator: malloc and friends, the memory limit,
 * the library's threads, and a test-only fault simulator.
 *
 * The memory limit belongs to the calling thread, not to the process: a
 * host's threads (or two libraries in one program that both use tcum) each
 * set their own with tc_set_memory_limit, and a thread the library starts
 * for a call (tc_thread_start) takes the limit of the thread that made the
 * call.  Nothing here is shared between threads.
 *
 * Built with -DTC_FAULTSIM (make faultsim), the environment variable
 * TCUM_FAULTSIM=N makes the N-th allocation fail (and every later one too,
 * as SQLite's "persistent" faults do, so an out-of-memory path cannot be
 * rescued by a lucky retry), and TCUM_FAULTSIM_COUNT=FILE appends the
 * number of allocations made to FILE at exit (a line per process).  The
 * ordinary build has neither: the functions are malloc, calloc, realloc
 * and free, and no environment is read.
 */
#include "tc_private.h"

#include <sys/resource.h>
#include <unistd.h>

#ifdef TC_FAULTSIM
#include <stdio.h>

/* Test builds only: one count for the process, so that N means the same allocation every run. */
static _Atomic long fault_at = -1;    /* the allocation that fails first, -1: none */
static _Atomic long fault_count;      /* allocations so far */
static _Atomic int fault_ready;

static void fault_report(void)
{
    const char *path = getenv("TCUM_FAULTSIM_COUNT");
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) {
            fprintf(f, "%ld\n", (long)fault_count);
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
    long n = ++fault_count;
    return fault_at > 0 && n >= fault_at;
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

/* ---- the memory limit ----------------------------------------------------------- */

static _Thread_local uint64_t thread_limit;   /* tc_set_memory_limit's; 0: none */
static _Thread_local uint64_t thread_system;  /* system_limit(), once per thread; 0: not yet */

void tc_set_memory_limit(uint64_t bytes)
{
    thread_limit = bytes;
}

/* Physical memory, or RLIMIT_AS / RLIMIT_DATA if lower; UINT64_MAX if unknown. */
static uint64_t system_limit(void)
{
    uint64_t limit = UINT64_MAX;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psz > 0 && (uint64_t)pages <= UINT64_MAX / (uint64_t)psz)
        limit = (uint64_t)pages * (uint64_t)psz;
    const int which[] = {RLIMIT_AS, RLIMIT_DATA};
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
        struct rlimit rl;
        if (getrlimit(which[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            (uint64_t)rl.rlim_cur < limit)
            limit = (uint64_t)rl.rlim_cur;
    }
    return limit;
}

bool tc_mem_fits(uint64_t n)
{
    /*
     * The machine's memory is asked once per thread: the streaming path
     * makes a tensor for every block read, and it does not change under
     * one run.
     */
    if (!thread_system)
        thread_system = system_limit();
    return n <= thread_system && n <= SIZE_MAX && (!thread_limit || n <= thread_limit);
}

/* ---- threads ------------------------------------------------------------------ */

typedef struct start_arg {
    void *(*fn)(void *);
    void *arg;
    uint64_t limit;
} start_arg;

static void *thread_main(void *p)
{
    start_arg s = *(start_arg *)p;
    tc_free(p);
    thread_limit = s.limit;
    return s.fn(s.arg);
}

int tc_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    start_arg *s = tc_malloc(sizeof *s);
    if (!s)
        return -1;
    *s = (start_arg){fn, arg, thread_limit};
    if (pthread_create(th, NULL, thread_main, s) != 0) {
        tc_free(s);
        return -1;
    }
    return 0;
}
