/*
 * The C twin of jipc.channel.OneToOneChannel; see jipc_channel.h and docs/channel-format.md.
 *
 * Memory ordering, as in the Java code: a record's payload and type are plain stores, its length a release store,
 * the tail a release store; the consumer reads lengths with acquire loads, zeroes consumed records with plain stores
 * and publishes the head with a release store. The wake protocol uses sequentially consistent fences (Dekker).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_channel.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 100000000LL

static _Atomic uint32_t *u32(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint32_t *) (ch->base + offset);
}

static _Atomic uint64_t *u64(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint64_t *) (ch->base + offset);
}

static _Atomic uint32_t *length_word(const jipc_channel *ch, uint64_t index) {
    return (_Atomic uint32_t *) (ch->ring + index + JIPC_RECORD_LENGTH_OFFSET);
}

static uint64_t align8(uint64_t n) {
    return (n + JIPC_RECORD_ALIGNMENT - 1) & ~(uint64_t) (JIPC_RECORD_ALIGNMENT - 1);
}

static uint64_t max_message_limit(uint64_t capacity) {
    uint64_t limit = capacity / 8 - JIPC_RECORD_HEADER_LENGTH;
    return limit > (uint64_t) INT_MAX - 64 ? (uint64_t) INT_MAX - 64 : limit;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t value, const struct timespec *timeout) {
    return syscall(SYS_futex, (uint32_t *) word, op, value, timeout, NULL, 0);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int jipc_channel_attach(jipc_channel *ch, void *base, size_t size) {
    unsigned char *b = base;
    if (((uintptr_t) b) % JIPC_RECORD_ALIGNMENT != 0) {
        return JIPC_CHANNEL_EALIGN;
    }
    if (size < JIPC_CHANNEL_HEADER_LENGTH) {
        return JIPC_CHANNEL_ETOOSMALL;
    }
    memset(ch, 0, sizeof *ch);
    ch->base = b;
    /* acquire: a complete header was written before the magic (release) */
    if (atomic_load_explicit(u64(ch, JIPC_CHANNEL_MAGIC_OFFSET), memory_order_acquire) != JIPC_CHANNEL_MAGIC) {
        return JIPC_CHANNEL_EMAGIC;
    }
    uint32_t version, header, max, flags;
    uint64_t capacity;
    memcpy(&version, b + JIPC_CHANNEL_VERSION_OFFSET, 4);
    memcpy(&flags, b + JIPC_CHANNEL_FLAGS_OFFSET, 4);
    memcpy(&header, b + JIPC_CHANNEL_HEADER_LENGTH_OFFSET, 4);
    memcpy(&capacity, b + JIPC_CHANNEL_CAPACITY_OFFSET, 8);
    memcpy(&max, b + JIPC_CHANNEL_MAX_MESSAGE_LENGTH_OFFSET, 4);
    if (version != JIPC_CHANNEL_LAYOUT_VERSION) {
        return JIPC_CHANNEL_EVERSION;
    }
    if (header != JIPC_CHANNEL_HEADER_LENGTH) {
        return JIPC_CHANNEL_EHEADER;
    }
    if (flags != 0) {
        /* a many-producer channel: its claims and recovery are not implemented here (docs/channel-format.md) */
        return JIPC_CHANNEL_EFLAGS;
    }
    if (capacity < JIPC_CHANNEL_MIN_CAPACITY || (capacity & (capacity - 1)) != 0) {
        return JIPC_CHANNEL_ECAPACITY;
    }
    if (size < JIPC_CHANNEL_HEADER_LENGTH + capacity) {
        return JIPC_CHANNEL_ETOOSMALL;
    }
    if (max < 1 || max > max_message_limit(capacity)) {
        return JIPC_CHANNEL_EMAXMSG;
    }
    ch->ring = b + JIPC_CHANNEL_HEADER_LENGTH;
    ch->capacity = capacity;
    ch->mask = capacity - 1;
    ch->max_message_length = max;
    return JIPC_CHANNEL_OK;
}

const char *jipc_channel_strerror(int error) {
    switch (error) {
    case JIPC_CHANNEL_OK: return "ok";
    case JIPC_CHANNEL_ETOOSMALL: return "segment smaller than the channel it holds";
    case JIPC_CHANNEL_EMAGIC: return "no jipc channel there (magic)";
    case JIPC_CHANNEL_EVERSION: return "unsupported layout version";
    case JIPC_CHANNEL_EHEADER: return "header length is not 4096";
    case JIPC_CHANNEL_ECAPACITY: return "capacity is not a power of two >= 1024";
    case JIPC_CHANNEL_EMAXMSG: return "max message length out of range";
    case JIPC_CHANNEL_EALIGN: return "segment not 8-byte aligned";
    case JIPC_CHANNEL_EFLAGS: return "unsupported flags (a many-producer channel)";
    default: return "unknown error";
    }
}

/* ---- producer ------------------------------------------------------------------------------------------------ */

/* Start after the last record any earlier producer published (even one that died before moving the tail). */
static int recover_tail(jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
    uint64_t end = head > tail ? head : tail;
    while (end - head < ch->capacity) {
        uint64_t index = end & ch->mask;
        uint32_t length = atomic_load_explicit(length_word(ch, index), memory_order_acquire);
        if (length == 0) {
            break;
        }
        if (length < JIPC_RECORD_HEADER_LENGTH || align8(length) > ch->capacity - index) {
            errno = EPROTO;
            return -1;
        }
        end += align8(length);
    }
    if (end != tail) {
        atomic_store_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), end, memory_order_release);
    }
    ch->head_cache = head;
    ch->producer_ready = 1;
    return 0;
}

static uint64_t required_space(const jipc_channel *ch, uint64_t tail, uint64_t space) {
    uint64_t to_end = ch->capacity - (tail & ch->mask);
    return space > to_end ? to_end + space : space;
}

static int has_room(jipc_channel *ch, uint64_t tail, uint64_t required) {
    if (required > ch->capacity - (tail - ch->head_cache)) {
        ch->head_cache = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
        return required <= ch->capacity - (tail - ch->head_cache);
    }
    return 1;
}

/* The producer's half of the wake protocol: fence, then wake only if the consumer announced its sleep. */
static void wake_consumer_if_sleeping(jipc_channel *ch) {
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET);
    uint32_t expected = 1;
    if (atomic_load_explicit(waiting, memory_order_relaxed) != 0
            && atomic_compare_exchange_strong(waiting, &expected, 0)) {
        _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_CONSUMER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        futex(wake, FUTEX_WAKE, 1, NULL);
    }
}

int jipc_channel_offer(jipc_channel *ch, int32_t type, const void *payload, uint32_t length) {
    if (type < 1 || length > ch->max_message_length) {
        errno = EINVAL;
        return -1;
    }
    if (!ch->producer_ready && recover_tail(ch) < 0) {
        return -1;
    }
    /* only this producer writes the tail */
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_relaxed);
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    uint64_t index = tail & ch->mask;
    uint64_t required = required_space(ch, tail, space);
    uint64_t padding = required - space;
    if (!has_room(ch, tail, required)) {
        return 0;
    }
    uint64_t record = padding == 0 ? index : 0;
    memcpy(ch->ring + record + JIPC_RECORD_HEADER_LENGTH, payload, length);
    uint64_t next = tail + required;
    /* Pre-zero the length word after this record if it is free space: a producer that died mid-claim may have
     * left bytes there, which the consumer must not read as a length. Ordered by the release store below. */
    if (next - ch->head_cache < ch->capacity
            || next - (ch->head_cache = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET),
                                                             memory_order_acquire)) < ch->capacity) {
        atomic_store_explicit(length_word(ch, next & ch->mask), 0, memory_order_relaxed);
    }
    memcpy(ch->ring + record + JIPC_RECORD_TYPE_OFFSET, &type, 4);
    atomic_store_explicit(length_word(ch, record), (uint32_t) (JIPC_RECORD_HEADER_LENGTH + length),
                          memory_order_release);
    if (padding != 0) {
        /* after the record it covers: a consumer that reads the padding finds the record complete behind it */
        int32_t padding_type = JIPC_RECORD_PADDING_TYPE;
        memcpy(ch->ring + index + JIPC_RECORD_TYPE_OFFSET, &padding_type, 4);
        atomic_store_explicit(length_word(ch, index), (uint32_t) padding, memory_order_release);
    }
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), next, memory_order_release);
    wake_consumer_if_sleeping(ch);
    return 1;
}

int jipc_channel_wait_room(jipc_channel *ch, uint32_t length, int64_t timeout_ns) {
    if (!ch->producer_ready && recover_tail(ch) < 0) {
        return -1;
    }
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET);
    for (;;) {
        uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_relaxed);
        if (has_room(ch, tail, required_space(ch, tail, space))) {
            return 1;
        }
        int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = left < SLICE_NS ? left : SLICE_NS;
        struct timespec ts = { slice / 1000000000LL, slice % 1000000000LL };
        uint32_t seen = atomic_load(wake);
        atomic_fetch_add(waiting, 1); /* an atomic RMW: a full fence before the re-check */
        if (!has_room(ch, tail, required_space(ch, tail, space))) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_fetch_sub(waiting, 1);
    }
}

/* ---- consumer ------------------------------------------------------------------------------------------------ */

static void wake_producers_if_sleeping(jipc_channel *ch) {
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(u32(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET), memory_order_relaxed) != 0) {
        _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        futex(wake, FUTEX_WAKE, INT_MAX, NULL);
    }
}

int jipc_channel_has_message(const jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    return atomic_load_explicit(length_word(ch, head & ch->mask), memory_order_acquire) != 0;
}

int jipc_channel_poll(jipc_channel *ch, jipc_channel_handler handler, void *context, int limit) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_relaxed);
    uint64_t consumed = 0;
    int messages = 0;
    int corrupt = 0;
    while (messages < limit && consumed < ch->capacity) {
        uint64_t index = (head + consumed) & ch->mask;
        uint32_t length = atomic_load_explicit(length_word(ch, index), memory_order_acquire);
        if (length == 0) {
            break;
        }
        uint64_t space = align8(length);
        if (length < JIPC_RECORD_HEADER_LENGTH || space > ch->capacity - index) {
            corrupt = 1;
            break;
        }
        int32_t type;
        memcpy(&type, ch->ring + index + JIPC_RECORD_TYPE_OFFSET, 4);
        consumed += space;
        if (type != JIPC_RECORD_PADDING_TYPE) {
            messages++;
            handler(context, type, ch->ring + index + JIPC_RECORD_HEADER_LENGTH, length - JIPC_RECORD_HEADER_LENGTH);
        }
        /* zero before the head moves past it: the producer relies on "length 0 = not written yet" */
        memset(ch->ring + index, 0, space);
    }
    if (consumed > 0) {
        atomic_store_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), head + consumed, memory_order_release);
        wake_producers_if_sleeping(ch);
    }
    if (corrupt) {
        errno = EPROTO;
        return -1;
    }
    return messages;
}

int jipc_channel_wait_message(jipc_channel *ch, int64_t timeout_ns) {
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_CONSUMER_WAKE_OFFSET);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET);
    for (;;) {
        if (jipc_channel_has_message(ch)) {
            return 1;
        }
        int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = left < SLICE_NS ? left : SLICE_NS;
        struct timespec ts = { slice / 1000000000LL, slice % 1000000000LL };
        /* read the wake word before announcing: an increment after the re-check makes FUTEX_WAIT return EAGAIN */
        uint32_t seen = atomic_load(wake);
        atomic_store(waiting, 1);
        atomic_thread_fence(memory_order_seq_cst);
        if (!jipc_channel_has_message(ch)) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_store(waiting, 0);
    }
}

/* ---- liveness ------------------------------------------------------------------------------------------------ */

/* state (field 3) and start time (field 22) of /proc/PID/stat; 0, or -1 if it cannot be read. */
static int read_stat(int pid, char *state, uint64_t *start_time) {
    char path[64];
    char buffer[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    fclose(f);
    buffer[n] = '\0';
    char *p = strrchr(buffer, ')'); /* the command name may contain spaces and ')' */
    if (p == NULL || p[1] == '\0') {
        return -1;
    }
    p += 2;
    *state = *p;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL) {
            return -1;
        }
        p++;
    }
    *start_time = strtoull(p, NULL, 10);
    return 0;
}

int jipc_channel_register_consumer(jipc_channel *ch) {
    char state;
    uint64_t start_time;
    int pid = (int) getpid();
    if (read_stat(pid, &state, &start_time) < 0) {
        return -1;
    }
    /* pid 0 first: a reader that sees the pid (acquire) sees the start time written before it */
    atomic_store(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), 0);
    atomic_store(u64(ch, JIPC_CHANNEL_CONSUMER_START_TIME_OFFSET), start_time);
    atomic_store_explicit(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), (uint32_t) pid, memory_order_release);
    return 0;
}

int jipc_channel_consumer_alive(const jipc_channel *ch) {
    int pid;
    uint64_t start_time;
    for (;;) {
        pid = (int) atomic_load_explicit(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), memory_order_acquire);
        if (pid <= 0) {
            return 0;
        }
        start_time = atomic_load_explicit(u64(ch, JIPC_CHANNEL_CONSUMER_START_TIME_OFFSET), memory_order_acquire);
        if ((int) atomic_load_explicit(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), memory_order_acquire) == pid) {
            break;
        }
    }
    if (kill(pid, 0) < 0 && errno == ESRCH) {
        return 0;
    }
    char state;
    uint64_t actual;
    if (read_stat(pid, &state, &actual) < 0) {
        /* hidden from us (hidepid) counts as alive; gone counts as dead */
        return !(kill(pid, 0) < 0 && errno == ESRCH);
    }
    if (state == 'Z' || state == 'X') {
        return 0;
    }
    return actual == start_time;
}
