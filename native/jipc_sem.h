/*
 * jipc_sem: the C twin of jipc.sync.Semaphore, jipc's semaphore in shared memory (docs/sync-format.md, semaphore
 * layout version 2, magic "JSM2"): 128 bytes, 8-byte aligned, the count being the futex word; waiters count per
 * process in seven entries named by the process's liveness token (jipc_live.h), or in overflow when no entry is to be
 * had, so that a releaser makes a FUTEX_WAKE only when someone sleeps and a process killed asleep is forgotten.
 * jipc.sync.SharedSemaphore keeps one at offset 0 of a POSIX shared memory object of its own (exactly 128 bytes).
 *
 * Costs: try_acquire and an uncontended release are one compare-and-set and no system call (a release also reads the
 * eight waiter counts). acquire spins briefly, then sleeps in FUTEX_WAIT (at most timeout_ns). A waiter takes its
 * process's entry once (a compare-and-set, judging dead holders by their tokens if none is free) and keeps it.
 * Thread-safe: any number of threads of any processes may use one semaphore.
 *
 * Build with jipc_live.c: gcc -std=gnu11 -O2 app.c jipc_sem.c jipc_live.c
 */
#ifndef JIPC_SEM_H
#define JIPC_SEM_H

#include <stddef.h>
#include <stdint.h>

#include "jipc_live.h"

#ifdef __cplusplus
extern "C" {
#endif

#define JIPC_SEM_MAGIC 0x4A534D32          /* "JSM2" read as a big-endian number */
#define JIPC_SEM_MAGIC_V1 0x4A534D31       /* layout version 1: refused */
#define JIPC_SEM_LENGTH 128
#define JIPC_SEM_COUNT_OFFSET 0            /* int32: permits available now; the futex word */
#define JIPC_SEM_OVERFLOW_OFFSET 4         /* int32: sleepers counted in no entry */
#define JIPC_SEM_MAX_OFFSET 8              /* int32: the highest count: 1 binary, INT32_MAX counting */
#define JIPC_SEM_MAGIC_OFFSET 12           /* int32: written last by create (release) */
#define JIPC_SEM_ENTRIES_OFFSET 16         /* 7 entries of 16 bytes: uint64 party, int32 waiting, int32 reserved */
#define JIPC_SEM_ENTRY_LENGTH 16
#define JIPC_SEM_ENTRIES 7
#define JIPC_SEM_PARTY_NUMBER_MASK 0x0000FFFF00000000ULL   /* an entry is free when these bits of party are 0 */

/* Errors of jipc_sem_attach and jipc_sem_create. */
enum jipc_sem_error {
    JIPC_SEM_OK = 0,
    JIPC_SEM_EALIGN = 1,            /* not 8-byte aligned */
    JIPC_SEM_EMAGIC = 2,            /* no semaphore there (or not created yet) */
    JIPC_SEM_EVERSION = 3,          /* a layout version 1 semaphore ("JSM1") */
    JIPC_SEM_EMAX = 4,              /* max < 1 */
    JIPC_SEM_EVALUE = 5             /* create: initial not in [0, max] */
};

/* Writes a semaphore with `initial` permits and the highest count `max` (1: binary, INT32_MAX: counting) at `at`
 * (128 bytes): count, overflow, max, zeroed entries, then the magic (release). JIPC_SEM_OK or an error. */
int jipc_sem_create(void *at, int32_t initial, int32_t max);

/* Checks the semaphore at `at` (magic, version, max); writes nothing. JIPC_SEM_OK or an error. */
int jipc_sem_attach(const void *at);

/* A one-line description of an attach or create error. */
const char *jipc_sem_strerror(int error);

/* Takes one permit if there is one now: 1, else 0. Never blocks, no system call. */
int jipc_sem_try_acquire(void *at);

/* Takes one permit, sleeping (FUTEX_WAIT on the count) up to timeout_ns (< 0: no limit) while there is none.
 * 1: taken, 0: timeout (also when interrupted by a signal and interrupt_on_signal is set: the caller runs its
 * handlers and calls again). The waiter counts itself in its process's entry (or overflow) while it may sleep. */
int jipc_sem_acquire(void *at, int64_t timeout_ns, int interrupt_on_signal);

/* Gives back n >= 1 permits and wakes up to n sleepers if any may sleep. 0, or -1 with errno EOVERFLOW (the count
 * would pass max; nothing changes) or EINVAL (n < 1). A wake that reaches nobody frees the entries of dead processes
 * (at most every 100 ms per process). */
int jipc_sem_release(void *at, int32_t n);

/* Permits available now (a snapshot), and the highest count. */
int32_t jipc_sem_available(const void *at);
int32_t jipc_sem_max(const void *at);

#ifdef __cplusplus
}
#endif

#endif
