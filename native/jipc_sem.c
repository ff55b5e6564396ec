/*
 * The C twin of jipc.sync.Semaphore; see jipc_sem.h and docs/sync-format.md ("Semaphore"). Every shared access is a
 * sequentially consistent atomic, as the page requires: the waiter's add on its counter comes before its last look at
 * the count, the releaser's compare-and-set on the count before its reads of the counters (Dekker), so no wake-up is
 * lost.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_sem.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SPINS 100
#define FORGET_INTERVAL_NS 100000000LL

struct entry {
    _Atomic uint64_t party;
    _Atomic int32_t waiting;
    int32_t reserved;
};

struct sem {
    _Atomic int32_t count;
    _Atomic int32_t overflow;
    _Atomic int32_t max;
    _Atomic int32_t magic;
    struct entry entry[JIPC_SEM_ENTRIES];
};

_Static_assert(offsetof(struct sem, count) == JIPC_SEM_COUNT_OFFSET, "count");
_Static_assert(offsetof(struct sem, overflow) == JIPC_SEM_OVERFLOW_OFFSET, "overflow");
_Static_assert(offsetof(struct sem, max) == JIPC_SEM_MAX_OFFSET, "max");
_Static_assert(offsetof(struct sem, magic) == JIPC_SEM_MAGIC_OFFSET, "magic");
_Static_assert(offsetof(struct sem, entry) == JIPC_SEM_ENTRIES_OFFSET, "entries");
_Static_assert(sizeof(struct entry) == JIPC_SEM_ENTRY_LENGTH, "entry");
_Static_assert(sizeof(struct sem) == JIPC_SEM_LENGTH, "size");

/* One thread of this process at a time takes an entry, so that two of them do not take two. */
static pthread_mutex_t taking = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int64_t next_forget;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int is_free(uint64_t party) {
    return (party & JIPC_SEM_PARTY_NUMBER_MASK) == 0;
}

int jipc_sem_create(void *at, int32_t initial, int32_t max) {
    if (((uintptr_t) at) % 8 != 0) {
        return JIPC_SEM_EALIGN;
    }
    if (max < 1) {
        return JIPC_SEM_EMAX;
    }
    if (initial < 0 || initial > max) {
        return JIPC_SEM_EVALUE;
    }
    struct sem *s = at;
    atomic_store(&s->count, initial);
    atomic_store(&s->overflow, 0);
    atomic_store(&s->max, max);
    for (int i = 0; i < JIPC_SEM_ENTRIES; i++) {
        atomic_store(&s->entry[i].party, 0);
        atomic_store(&s->entry[i].waiting, 0);
        s->entry[i].reserved = 0;
    }
    atomic_store_explicit(&s->magic, JIPC_SEM_MAGIC, memory_order_release);
    return JIPC_SEM_OK;
}

int jipc_sem_attach(const void *at) {
    if (((uintptr_t) at) % 8 != 0) {
        return JIPC_SEM_EALIGN;
    }
    struct sem *s = (struct sem *) at;
    int32_t magic = atomic_load_explicit(&s->magic, memory_order_acquire);
    if (magic == JIPC_SEM_MAGIC_V1) {
        return JIPC_SEM_EVERSION;
    }
    if (magic != JIPC_SEM_MAGIC) {
        return JIPC_SEM_EMAGIC;
    }
    return atomic_load(&s->max) < 1 ? JIPC_SEM_EMAX : JIPC_SEM_OK;
}

const char *jipc_sem_strerror(int error) {
    switch (error) {
    case JIPC_SEM_OK: return "ok";
    case JIPC_SEM_EALIGN: return "semaphore not 8-byte aligned";
    case JIPC_SEM_EMAGIC: return "no jipc semaphore there (magic)";
    case JIPC_SEM_EVERSION: return "has layout version 1; this jipc speaks version 2";
    case JIPC_SEM_EMAX: return "max < 1";
    case JIPC_SEM_EVALUE: return "initial permits not in [0, max]";
    default: return "unknown error";
    }
}

int jipc_sem_try_acquire(void *at) {
    struct sem *s = at;
    int32_t c = atomic_load(&s->count);
    while (c > 0) {
        if (atomic_compare_exchange_weak(&s->count, &c, c - 1)) {
            return 1;
        }
    }
    return 0;
}

/* Entry i becomes ours if its party word still holds `holder` (free, or judged dead): its waiting count is frozen, so
 * what was read before the compare-and-set is what to subtract after it (an add: our threads may count in it). */
static int take_entry(struct sem *s, int i, uint64_t holder, uint64_t self) {
    int32_t frozen = atomic_load(&s->entry[i].waiting);
    if (!atomic_compare_exchange_strong(&s->entry[i].party, &holder, self)) {
        return 0;
    }
    atomic_fetch_sub(&s->entry[i].waiting, frozen);
    return 1;
}

/* The counter this process's sleepers count in: its entry (found or taken), else overflow. */
static _Atomic int32_t *waiter_counter(struct sem *s) {
    uint64_t self = jipc_live_process_party();
    if (self == 0) {
        return &s->overflow; /* no token: correct, only a death asleep would leave overflow high */
    }
    for (int i = 0; i < JIPC_SEM_ENTRIES; i++) {
        if (atomic_load(&s->entry[i].party) == self) {
            return &s->entry[i].waiting;
        }
    }
    _Atomic int32_t *counter = &s->overflow;
    pthread_mutex_lock(&taking);
    for (int pass = 0; pass < 3 && counter == &s->overflow; pass++) {
        for (int i = 0; i < JIPC_SEM_ENTRIES; i++) {
            uint64_t holder = atomic_load(&s->entry[i].party);
            int ours = pass == 0 ? holder == self
                     : pass == 1 ? is_free(holder) && take_entry(s, i, holder, self)
                     : !is_free(holder) && holder != self && jipc_live_check(holder) == JIPC_LIVE_DEAD
                           && take_entry(s, i, holder, self);
            if (ours) {
                if (pass == 2) {
                    jipc_live_remove_dead_token(holder);
                }
                counter = &s->entry[i].waiting;
                break;
            }
        }
    }
    pthread_mutex_unlock(&taking);
    return counter;
}

int jipc_sem_acquire(void *at, int64_t timeout_ns, int interrupt_on_signal) {
    struct sem *s = at;
    for (int i = 0; i < SPINS; i++) {
        if (jipc_sem_try_acquire(s)) {
            return 1;
        }
        __builtin_ia32_pause();
    }
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    /* count ourselves (a read-modify-write) before the last look at count: a release after this sees us and wakes */
    _Atomic int32_t *counter = waiter_counter(s);
    atomic_fetch_add(counter, 1);
    int acquired = 0;
    for (;;) {
        if (jipc_sem_try_acquire(s)) {
            acquired = 1;
            break;
        }
        struct timespec ts, *timeout = NULL;
        if (deadline != INT64_MAX) {
            int64_t left = deadline - now_ns();
            if (left <= 0) {
                break;
            }
            ts.tv_sec = left / 1000000000LL;
            ts.tv_nsec = left % 1000000000LL;
            timeout = &ts;
        }
        /* sleeps only while count is still 0; EAGAIN (it changed), EINTR and spurious wake-ups look again */
        if (syscall(SYS_futex, &s->count, FUTEX_WAIT, 0, timeout, NULL, 0) < 0 && errno == EINTR
                && interrupt_on_signal) {
            acquired = jipc_sem_try_acquire(s);
            break;
        }
    }
    atomic_fetch_sub(counter, 1);
    return acquired;
}

/* After a wake that reached nobody: entries of dead processes still counting sleepers are freed (the party number
 * cleared, the token number kept, so that a stale compare-and-set of a taker fails). */
static void forget_dead_waiters(struct sem *s) {
    int64_t now = now_ns();
    int64_t next = atomic_load(&next_forget);
    if (now < next || !atomic_compare_exchange_strong(&next_forget, &next, now + FORGET_INTERVAL_NS)) {
        return;
    }
    for (int i = 0; i < JIPC_SEM_ENTRIES; i++) {
        if (atomic_load(&s->entry[i].waiting) <= 0) {
            continue;
        }
        uint64_t holder = atomic_load(&s->entry[i].party);
        if (!is_free(holder) && jipc_live_check(holder) == JIPC_LIVE_DEAD
                && atomic_compare_exchange_strong(&s->entry[i].party, &holder,
                                                  holder & ~JIPC_SEM_PARTY_NUMBER_MASK)) {
            jipc_live_remove_dead_token(holder);
        }
    }
}

int jipc_sem_release(void *at, int32_t n) {
    struct sem *s = at;
    if (n < 1) {
        errno = EINVAL;
        return -1;
    }
    int32_t max = atomic_load(&s->max);
    int32_t c = atomic_load(&s->count);
    do {
        if ((int64_t) c + n > (int64_t) max) {
            errno = EOVERFLOW;
            return -1;
        }
    } while (!atomic_compare_exchange_weak(&s->count, &c, c + n));
    int sleepers = atomic_load(&s->overflow) > 0;
    for (int i = 0; i < JIPC_SEM_ENTRIES && !sleepers; i++) {
        sleepers = atomic_load(&s->entry[i].waiting) > 0 && !is_free(atomic_load(&s->entry[i].party));
    }
    if (sleepers && syscall(SYS_futex, &s->count, FUTEX_WAKE, n, NULL, NULL, 0) == 0) {
        forget_dead_waiters(s);
    }
    return 0;
}

int32_t jipc_sem_available(const void *at) {
    return atomic_load(&((struct sem *) at)->count);
}

int32_t jipc_sem_max(const void *at) {
    return atomic_load(&((struct sem *) at)->max);
}
