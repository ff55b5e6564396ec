/*
 * A C peer that uses jipc's in-memory semaphore (docs/sync-format.md, layout version 2) on a file that a Java
 * process maps too, with a liveness token of its own (docs/liveness-format.md) that names its waiter entry.
 *
 *   sync_sem FILE FULL_OFFSET EMPTY_OFFSET DATA_OFFSET ROUNDS
 *
 * FULL and EMPTY are binary semaphores created by the Java side; DATA is a 32-bit int. Each round i = 1..ROUNDS:
 * acquire FULL, check DATA == i, write DATA = -i, release EMPTY. Exit 0 on success, 1 on a usage or system error,
 * 2 on a wrong value, 3 on a bad semaphore (magic, max, over-release).
 *
 * What a foreign implementation must do and what it may leave out:
 * - It must count a sleeping thread somewhere a releaser looks: in its process's entry, or in overflow. Using
 *   overflow only (no token at all) is correct; it just leaves overflow one too high for good if the process is
 *   killed asleep. This peer takes the better route: an entry named by its token, falling back to overflow when
 *   it cannot make one or all seven entries belong to live processes.
 * - A releaser must wake when overflow > 0 or an entry that is not free has waiting > 0. Freeing dead entries after
 *   a wake that woke nobody is optional (it only stops needless wakes); this peer does it, at most every 100 ms.
 * The process is single-threaded, so nothing here guards against two of its own threads taking two entries.
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
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* jipc.sync.SemaphoreDescriptor, version 2: 128 bytes, 8-byte aligned, native endian. */
#define JIPC_SEMAPHORE_ENTRIES 7
struct jipc_semaphore_entry {
    _Atomic uint64_t party;  /* party id of a process with waiting threads; free if bits 32..47 are 0 */
    _Atomic int32_t waiting; /* that process's threads sleeping or about to sleep on count */
    int32_t reserved;
};
struct jipc_semaphore {
    _Atomic int32_t count;    /* permits available now; the futex word */
    _Atomic int32_t overflow; /* waiters that found no entry */
    _Atomic int32_t max;      /* highest count: 1 for a binary semaphore */
    _Atomic int32_t magic;    /* JIPC_SEMAPHORE_MAGIC once created */
    struct jipc_semaphore_entry entry[JIPC_SEMAPHORE_ENTRIES];
};
#define JIPC_SEMAPHORE_MAGIC 0x4A534D32 /* "JSM2" */
#define PARTY_NUMBER_MASK 0x0000FFFF00000000ULL
_Static_assert(offsetof(struct jipc_semaphore, count) == 0, "count offset");
_Static_assert(offsetof(struct jipc_semaphore, overflow) == 4, "overflow offset");
_Static_assert(offsetof(struct jipc_semaphore, max) == 8, "max offset");
_Static_assert(offsetof(struct jipc_semaphore, magic) == 12, "magic offset");
_Static_assert(offsetof(struct jipc_semaphore, entry) == 16, "entries offset");
_Static_assert(offsetof(struct jipc_semaphore_entry, waiting) == 8, "waiting offset");
_Static_assert(sizeof(struct jipc_semaphore_entry) == 16, "entry size");
_Static_assert(sizeof(struct jipc_semaphore) == 128, "size");

#define SPINS 100
#define FORGET_INTERVAL_NS 100000000LL

/* ---- liveness token (docs/liveness-format.md) ----------------------------------------------------------------- */

static uint16_t store_tag;   /* of /dev/shm */
static uint64_t self_party;  /* our process party (party number 1); 0: no token, waiters count in overflow */
static char token_path[64];  /* removed at a normal exit: no thread of ours waits any more */

static uint16_t compute_store_tag(void) {
    struct stat st;
    if (stat("/dev/shm", &st) < 0) {
        return 0;
    }
    uint64_t h = (uint64_t) st.st_dev * 0x9E3779B97F4A7C15ULL ^ (uint64_t) st.st_ino * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    uint16_t tag = (uint16_t) ((h ^ (h >> 16)) & 0xFFFF);
    return tag == 0 ? 1 : tag;
}

static void remove_token(void) {
    unlink(token_path);
}

/* Makes the token: create NAME.new, lock byte 0 (open file description lock), then give it its final name without
 * replacing anything. The descriptor stays open (and locked) until the process ends. 0, or -1 (no token). */
static int make_token(void) {
    store_tag = compute_store_tag();
    if (store_tag == 0) {
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        uint32_t number;
        if (getrandom(&number, sizeof number, 0) != sizeof number) {
            return -1;
        }
        if (number == 0 || number == 0xFFFFFFFFu) {
            continue;
        }
        char new_path[sizeof token_path + 4];
        snprintf(token_path, sizeof token_path, "/dev/shm/jipc.live.%04x%08x", store_tag, number);
        snprintf(new_path, sizeof new_path, "%s.new", token_path);
        int fd = open(new_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            if (errno == EEXIST) {
                continue;
            }
            return -1;
        }
        struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        if (fchmod(fd, 0600) < 0 || fcntl(fd, F_OFD_SETLK, &lock) < 0) {
            unlink(new_path);
            close(fd);
            return -1;
        }
        dprintf(fd, "pid %d\n", (int) getpid());
        if (renameat2(AT_FDCWD, new_path, AT_FDCWD, token_path, RENAME_NOREPLACE) < 0) {
            int error = errno;
            unlink(new_path);
            close(fd);
            if (error == EEXIST) {
                continue; /* a token, perhaps a dead one, has this number */
            }
            return -1;
        }
        self_party = (uint64_t) store_tag << 48 | 1ULL << 32 | number;
        atexit(remove_token);
        return 0; /* fd stays open: the lock says we live */
    }
    return -1;
}

/* 1 if the party is certainly dead; 0 if it lives or cannot be judged (which counts as alive). */
static int party_dead(uint64_t party) {
    if (party == self_party || (uint16_t) (party >> 48) != store_tag) {
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/jipc.live.%04x%08x", (unsigned) (party >> 48), (uint32_t) party);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        return errno == ENOENT;
    }
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    int r = fcntl(fd, F_OFD_GETLK, &lock);
    close(fd);
    return r == 0 && lock.l_type == F_UNLCK;
}

static void remove_dead_token(uint64_t party) {
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/jipc.live.%04x%08x", (unsigned) (party >> 48), (uint32_t) party);
    if (party_dead(party)) {
        unlink(path); /* best effort: a dead token changes no verdict when it goes */
    }
}

/* ---- the semaphore ---------------------------------------------------------------------------------------------- */

static int is_free(uint64_t party) {
    return (party & PARTY_NUMBER_MASK) == 0;
}

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

/* Entry i becomes ours if its party word still holds `holder` (free, or judged dead before): its waiting count is
 * frozen, so what we read before the compare-and-set is what to subtract after it. */
static int take_entry(struct jipc_semaphore *s, int i, uint64_t holder) {
    int32_t frozen = atomic_load(&s->entry[i].waiting);
    if (!atomic_compare_exchange_strong(&s->entry[i].party, &holder, self_party)) {
        return 0;
    }
    atomic_fetch_sub(&s->entry[i].waiting, frozen);
    return 1;
}

/* The counter this process's waiters count in: its entry (found or taken), else overflow. */
static _Atomic int32_t *waiter_counter(struct jipc_semaphore *s) {
    if (self_party == 0) {
        return &s->overflow;
    }
    for (int i = 0; i < JIPC_SEMAPHORE_ENTRIES; i++) {
        if (atomic_load(&s->entry[i].party) == self_party) {
            return &s->entry[i].waiting;
        }
    }
    for (int i = 0; i < JIPC_SEMAPHORE_ENTRIES; i++) {
        uint64_t holder = atomic_load(&s->entry[i].party);
        if (is_free(holder) && take_entry(s, i, holder)) {
            return &s->entry[i].waiting;
        }
    }
    for (int i = 0; i < JIPC_SEMAPHORE_ENTRIES; i++) {
        uint64_t holder = atomic_load(&s->entry[i].party);
        if (!is_free(holder) && party_dead(holder) && take_entry(s, i, holder)) {
            remove_dead_token(holder);
            return &s->entry[i].waiting;
        }
    }
    return &s->overflow;
}

static void acquire(struct jipc_semaphore *s) {
    for (int i = 0; i < SPINS; i++) {
        if (try_acquire(s)) {
            return;
        }
        __builtin_ia32_pause();
    }
    /* Count ourselves (a read-modify-write) before the last look at count: a release after this sees us and wakes. */
    _Atomic int32_t *counter = waiter_counter(s);
    atomic_fetch_add(counter, 1);
    while (!try_acquire(s)) {
        /* Sleeps only if count is still 0; EAGAIN (it changed), EINTR and spurious wake-ups just loop. */
        if (futex(&s->count, FUTEX_WAIT, 0) < 0 && errno != EAGAIN && errno != EINTR) {
            perror("futex(FUTEX_WAIT)");
            exit(1);
        }
    }
    atomic_fetch_sub(counter, 1);
}

static int someone_may_wait(struct jipc_semaphore *s) {
    if (atomic_load(&s->overflow) > 0) {
        return 1;
    }
    for (int i = 0; i < JIPC_SEMAPHORE_ENTRIES; i++) {
        if (atomic_load(&s->entry[i].waiting) > 0 && !is_free(atomic_load(&s->entry[i].party))) {
            return 1;
        }
    }
    return 0;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* After a wake that woke nobody: free the entries of dead waiters (party number cleared), at most every 100 ms. */
static void forget_dead_waiters(struct jipc_semaphore *s) {
    static int64_t next;
    int64_t now = now_ns();
    if (now < next) {
        return;
    }
    next = now + FORGET_INTERVAL_NS;
    for (int i = 0; i < JIPC_SEMAPHORE_ENTRIES; i++) {
        uint64_t holder = atomic_load(&s->entry[i].party);
        if (atomic_load(&s->entry[i].waiting) > 0 && !is_free(holder) && party_dead(holder)
                && atomic_compare_exchange_strong(&s->entry[i].party, &holder, holder & ~PARTY_NUMBER_MASK)) {
            remove_dead_token(holder);
        }
    }
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
    /* count changed first (seq_cst), the counters read second: no lost wake-up. No syscall when nobody waits. */
    if (someone_may_wait(s)) {
        long woken = futex(&s->count, FUTEX_WAKE, n);
        if (woken < 0) {
            perror("futex(FUTEX_WAKE)");
            exit(1);
        }
        if (woken == 0) {
            forget_dead_waiters(s);
        }
    }
}

static struct jipc_semaphore *attach(char *base, long offset) {
    struct jipc_semaphore *s = (struct jipc_semaphore *) (base + offset);
    if (offset % 8 != 0 || atomic_load(&s->magic) != JIPC_SEMAPHORE_MAGIC || atomic_load(&s->max) < 1) {
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
    if (make_token() < 0) {
        perror("liveness token (waiters count in overflow)");
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
