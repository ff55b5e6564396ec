/*
 * A C peer that uses jipc's in-memory semaphore (docs/sync-format.md) on a file that a Java process maps too.
 *
 *   sync_sem FILE FULL_OFFSET EMPTY_OFFSET DATA_OFFSET ROUNDS
 *
 * FULL and EMPTY are binary semaphores created by the Java side; DATA is a 32-bit int. Each round i = 1..ROUNDS:
 * acquire FULL, check DATA == i, write DATA = -i, release EMPTY. Exit 0 on success, 1 on a usage or system error,
 * 2 on a wrong value, 3 on a bad semaphore (magic, max, over-release).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* jipc.sync.SemaphoreDescriptor: 16 bytes, 4-byte aligned, native endian. */
struct jipc_semaphore {
    _Atomic int32_t count;   /* permits available now; the futex word */
    _Atomic int32_t waiters; /* threads sleeping or about to sleep on count */
    _Atomic int32_t max;     /* highest count: 1 for a binary semaphore */
    _Atomic int32_t magic;   /* JIPC_SEMAPHORE_MAGIC once created */
};
#define JIPC_SEMAPHORE_MAGIC 0x4A534D31 /* "JSM1" */
_Static_assert(offsetof(struct jipc_semaphore, count) == 0, "count offset");
_Static_assert(offsetof(struct jipc_semaphore, waiters) == 4, "waiters offset");
_Static_assert(offsetof(struct jipc_semaphore, max) == 8, "max offset");
_Static_assert(offsetof(struct jipc_semaphore, magic) == 12, "magic offset");
_Static_assert(sizeof(struct jipc_semaphore) == 16, "size");

#define SPINS 100

static long futex(_Atomic int32_t *word, int op, int32_t val) {
    /* Shared futex (no FUTEX_PRIVATE_FLAG): the Java process maps the same file at another address. */
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static int try_acquire(struct jipc_semaphore *s) {
    int32_t c = atomic_load(&s->count);
    while (c > 0) {
        if (atomic_compare_exchange_weak(&s->count, &c, c - 1)) {
            return 1;
        }
    }
    return 0;
}

static void acquire(struct jipc_semaphore *s) {
    for (int i = 0; i < SPINS; i++) {
        if (try_acquire(s)) {
            return;
        }
        __builtin_ia32_pause();
    }
    /* Count ourselves before the last look at count: a release after this sees us and wakes. */
    atomic_fetch_add(&s->waiters, 1);
    while (!try_acquire(s)) {
        /* Sleeps only if count is still 0; EAGAIN (it changed), EINTR and spurious wake-ups just loop. */
        if (futex(&s->count, FUTEX_WAIT, 0) < 0 && errno != EAGAIN && errno != EINTR) {
            perror("futex(FUTEX_WAIT)");
            exit(1);
        }
    }
    atomic_fetch_sub(&s->waiters, 1);
}

static void release(struct jipc_semaphore *s, int32_t n) {
    int32_t max = atomic_load(&s->max);
    int32_t c = atomic_load(&s->count);
    do {
        if (n > max - c) {
            fprintf(stderr, "release: count=%d + permits=%d > max=%d\n", c, n, max);
            exit(3);
        }
    } while (!atomic_compare_exchange_weak(&s->count, &c, c + n));
    /* count changed first (seq_cst), waiters read second: no lost wake-up. No syscall when nobody waits. */
    if (atomic_load(&s->waiters) > 0 && futex(&s->count, FUTEX_WAKE, n) < 0) {
        perror("futex(FUTEX_WAKE)");
        exit(1);
    }
}

static struct jipc_semaphore *attach(char *base, long offset) {
    struct jipc_semaphore *s = (struct jipc_semaphore *) (base + offset);
    if (atomic_load(&s->magic) != JIPC_SEMAPHORE_MAGIC || atomic_load(&s->max) < 1) {
        fprintf(stderr, "no semaphore at offset %ld: magic=0x%x\n", offset, (unsigned) atomic_load(&s->magic));
        exit(3);
    }
    return s;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s FILE FULL_OFFSET EMPTY_OFFSET DATA_OFFSET ROUNDS\n", argv[0]);
        return 1;
    }
    int fd = open(argv[1], O_RDWR | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[1]);
        return 1;
    }
    char *base = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct jipc_semaphore *full = attach(base, atol(argv[2]));
    struct jipc_semaphore *empty = attach(base, atol(argv[3]));
    _Atomic int32_t *data = (_Atomic int32_t *) (base + atol(argv[4]));
    long rounds = atol(argv[5]);
    for (long i = 1; i <= rounds; i++) {
        acquire(full);
        int32_t value = atomic_load_explicit(data, memory_order_relaxed);
        if (value != (int32_t) i) {
            fprintf(stderr, "round %ld: read %d, expected %ld\n", i, value, i);
            return 2;
        }
        atomic_store_explicit(data, (int32_t) -i, memory_order_relaxed);
        release(empty, 1);
    }
    return 0;
}
