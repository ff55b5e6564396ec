/*
 * futex_pingpong: the C baseline of the jipc cross-process hand-off benchmark (jipc.bench.Handoff).
 *
 * Two processes, started by the harness, pass a turn back and forth over two binary semaphores in a shared
 * memfd that the harness places at fd 3 and initialises with jipc.sync.Semaphore.createBinary:
 *
 *   side a: t0 = now; release(S1); acquire(S2); t1 = now     one round trip, t1 - t0 recorded
 *   side b:           acquire(S1); release(S2)
 *
 * The semaphores use the very words of jipc's Semaphore (docs/sync-format.md, SemaphoreDescriptor, version 2):
 * count at +0 (the futex word), overflow at +4, max at +8, magic 0x4A534D32 at +12, seven waiter entries
 * {party u64, waiting i32, reserved} from +16. The algorithm is jipc's (compare-and-set on count; a sleeper counts
 * itself, re-checks count, FUTEX_WAIT(count, 0); a release wakes with FUTEX_WAKE only when overflow or an entry that
 * names a party counts a waiter), written with raw shared (non-private) futex calls and GCC's sequentially
 * consistent atomics, so the difference to the Java side is what jipc adds on top. One simplification, which the
 * format allows a foreign implementation: the sleepers here count in overflow, not in an entry named by a liveness
 * token (Java finds its entry with one load of a cached index; a process killed asleep here would leave overflow
 * one too high for good, and a benchmark peer is not killed).
 * SPINS is how often a waiter re-reads count before it sleeps (jipc's Semaphore spins 100 times).
 *
 * usage: futex_pingpong a|b WARMUP ROUNDS SPINS OFFSET1 OFFSET2 [OUTFILE]
 *   side a writes ROUNDS round-trip times (int64 nanoseconds, CLOCK_MONOTONIC, native byte order) to OUTFILE.
 * exit: 0 done, 2 usage, 1 a system call failed (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SHM_FD 3
#define MAP_LENGTH 4096
#define SEM_MAGIC 0x4A534D32
#define SEM_ENTRIES 7

struct sem_entry {
    uint64_t party;  /* a party id; free if its party number (bits 32..47) is 0 */
    int32_t waiting; /* that process's sleepers */
    int32_t reserved;
};

struct sem {
    int32_t count;    /* permits available now: the futex word */
    int32_t overflow; /* sleepers or about-to-sleepers on count that use no entry: all of ours */
    int32_t max;
    int32_t magic;
    struct sem_entry entry[SEM_ENTRIES];
};
_Static_assert(sizeof(struct sem) == 128, "jipc semaphore size");

static long spins;

static void die(const char *what) {
    fprintf(stderr, "futex_pingpong: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int try_acquire(struct sem *s) {
    int32_t c = __atomic_load_n(&s->count, __ATOMIC_SEQ_CST);
    while (c > 0) {
        if (__atomic_compare_exchange_n(&s->count, &c, c - 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            return 1;
        }
    }
    return 0;
}

static void acquire(struct sem *s) {
    if (try_acquire(s)) {
        return;
    }
    for (long i = 0; i < spins; i++) {
        __builtin_ia32_pause();
        if (__atomic_load_n(&s->count, __ATOMIC_SEQ_CST) > 0 && try_acquire(s)) {
            return;
        }
    }
    __atomic_fetch_add(&s->overflow, 1, __ATOMIC_SEQ_CST);
    while (!try_acquire(s)) {
        if (syscall(SYS_futex, &s->count, FUTEX_WAIT, 0, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR) {
            die("futex(FUTEX_WAIT)");
        }
    }
    __atomic_fetch_add(&s->overflow, -1, __ATOMIC_SEQ_CST);
}

/* Whether overflow or an entry that names a party counts a sleeper: what every releaser must check. */
static int someone_may_wait(struct sem *s) {
    if (__atomic_load_n(&s->overflow, __ATOMIC_SEQ_CST) > 0) {
        return 1;
    }
    for (int i = 0; i < SEM_ENTRIES; i++) {
        if (__atomic_load_n(&s->entry[i].waiting, __ATOMIC_SEQ_CST) > 0
                && (__atomic_load_n(&s->entry[i].party, __ATOMIC_SEQ_CST) & 0x0000FFFF00000000ULL) != 0) {
            return 1;
        }
    }
    return 0;
}

static void release(struct sem *s) {
    __atomic_fetch_add(&s->count, 1, __ATOMIC_SEQ_CST);
    if (someone_may_wait(s)) {
        if (syscall(SYS_futex, &s->count, FUTEX_WAKE, 1, NULL, NULL, 0) < 0) {
            die("futex(FUTEX_WAKE)");
        }
    }
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct sem *attach(char *base, long offset) {
    struct sem *s = (struct sem *) (base + offset);
    if (offset < 0 || offset + (long) sizeof(struct sem) > MAP_LENGTH || offset % 8 != 0
            || __atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != SEM_MAGIC) {
        fprintf(stderr, "futex_pingpong: no jipc semaphore at offset %ld\n", offset);
        exit(2);
    }
    return s;
}

int main(int argc, char **argv) {
    if (argc < 7 || (strcmp(argv[1], "a") != 0 && strcmp(argv[1], "b") != 0)
            || (argv[1][0] == 'a' && argc != 8)) {
        fprintf(stderr, "usage: futex_pingpong a|b WARMUP ROUNDS SPINS OFFSET1 OFFSET2 [OUTFILE]\n");
        return 2;
    }
    int side_a = argv[1][0] == 'a';
    long warmup = atol(argv[2]);
    long rounds = atol(argv[3]);
    spins = atol(argv[4]);
    char *base = mmap(NULL, MAP_LENGTH, PROT_READ | PROT_WRITE, MAP_SHARED, SHM_FD, 0);
    if (base == MAP_FAILED) {
        die("mmap(fd 3)");
    }
    struct sem *s1 = attach(base, atol(argv[5]));
    struct sem *s2 = attach(base, atol(argv[6]));

    if (!side_a) {
        for (long i = 0; i < warmup + rounds; i++) {
            acquire(s1);
            release(s2);
        }
        return 0;
    }
    int64_t *samples = malloc(sizeof(int64_t) * (rounds > 0 ? rounds : 1));
    if (samples == NULL) {
        die("malloc");
    }
    for (long i = 0; i < warmup; i++) {
        release(s1);
        acquire(s2);
    }
    for (long i = 0; i < rounds; i++) {
        int64_t t0 = now_ns();
        release(s1);
        acquire(s2);
        samples[i] = now_ns() - t0;
    }
    FILE *out = fopen(argv[7], "wb");
    if (out == NULL) {
        die(argv[7]);
    }
    if (fwrite(samples, sizeof(int64_t), rounds, out) != (size_t) rounds || fclose(out) != 0) {
        die(argv[7]);
    }
    return 0;
}
