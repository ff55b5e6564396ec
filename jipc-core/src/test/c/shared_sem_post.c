/*
 * A C peer of jipc.sync.SharedSemaphore: opens the POSIX shared memory object NAME, which holds one jipc semaphore
 * at offset 0 (docs/sync-format.md), waits (up to 30 s) until a waiter sleeps on it, then releases one permit.
 *
 *   shared_sem_post /NAME
 *
 * Exit 0 on success, 1 on a usage or system error, 3 on a bad semaphore (magic, over-release), 4 if no waiter came.
 *
 * It only releases, so it needs no liveness token: a releaser reads the waiter counts (overflow and the entries that
 * name a party) and wakes if any is above 0. It does not free the entries of dead waiters after a wake that woke
 * nobody: that is optional (it only saves later releases a needless wake-up).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* jipc.sync.SemaphoreDescriptor, version 2: 128 bytes, native endian. */
struct jipc_semaphore_entry {
    _Atomic uint64_t party;  /* free if bits 32..47 (the party number) are 0 */
    _Atomic int32_t waiting;
    int32_t reserved;
};
struct jipc_semaphore {
    _Atomic int32_t count;
    _Atomic int32_t overflow;
    _Atomic int32_t max;
    _Atomic int32_t magic;
    struct jipc_semaphore_entry entry[7];
};
#define JIPC_SEMAPHORE_MAGIC 0x4A534D32 /* "JSM2" */
_Static_assert(sizeof(struct jipc_semaphore) == 128, "size");
_Static_assert(offsetof(struct jipc_semaphore, entry) == 16, "entries offset");

/* Threads counted as sleeping or about to sleep: overflow plus the entries that name a party. */
static int32_t waiters(struct jipc_semaphore *sem) {
    int32_t sum = atomic_load(&sem->overflow);
    for (int i = 0; i < 7; i++) {
        int32_t waiting = atomic_load(&sem->entry[i].waiting);
        if (waiting > 0 && (atomic_load(&sem->entry[i].party) & 0x0000FFFF00000000ULL) != 0) {
            sum += waiting;
        }
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: shared_sem_post /NAME\n");
        return 1;
    }
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) {
        perror("shm_open");
        return 1;
    }
    struct jipc_semaphore *sem = mmap(NULL, sizeof *sem, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (sem == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (atomic_load(&sem->magic) != JIPC_SEMAPHORE_MAGIC) {
        fprintf(stderr, "no jipc semaphore in %s\n", argv[1]);
        return 3;
    }
    /* Wait for the Java side to sleep on the count, so the release below must wake it. */
    for (int i = 0; waiters(sem) <= 0; i++) {
        if (i == 30000) {
            fprintf(stderr, "no waiter within 30 s\n");
            return 4;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    int32_t c = atomic_load(&sem->count);
    do {
        if (c + 1 > atomic_load(&sem->max)) {
            fprintf(stderr, "over-release: count=%d\n", c);
            return 3;
        }
    } while (!atomic_compare_exchange_weak(&sem->count, &c, c + 1));
    if (waiters(sem) > 0
            && syscall(SYS_futex, &sem->count, FUTEX_WAKE, 1, NULL, NULL, 0) < 0) {
        perror("futex(FUTEX_WAKE)");
        return 1;
    }
    printf("posted\n");
    return 0;
}
