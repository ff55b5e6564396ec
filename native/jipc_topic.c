/*
 * The C twin of jipc.topic; see jipc_topic.h and docs/topic-format.md, whose steps the functions below follow and
 * name ("step 3", "Joining 2", ...).
 *
 * Memory ordering, as the page states it: record headers, payloads and the look-ahead header are plain stores (each
 * header field one relaxed atomic store of its full width), made visible by the release store of the tail; the
 * publisher stores oldest, then intent (release), then a release fence before it writes a byte of the ring, so an
 * OVERWRITE reader that read a byte of a newer record sees the raised intent after its acquire fence (a seqlock whose
 * sequence is the intent). The BLOCK floor handshake and both wake protocols are Dekker's pattern with seq_cst
 * fences or read-modify-writes between a store and the other side's load. Roles and slots are liveness-token roles
 * of jipc_live.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_topic.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 100000000LL
/* The publisher judges the subscribers it waits for at most every 10 ms (and before every sleep). */
#define DROP_CHECK_NS 10000000LL
/* A publisher whose FUTEX_WAKE woke nobody looks for dead sleepers' bits at most every 100 ms. */
/* Bounds for loops a hostile or very fast peer could otherwise keep going: resynchronisations per poll, attempts
 * at a history walk, rounds of the floor handshake. */
#define MAX_RESYNCS 64
#define MAX_ATTEMPTS 1000
/* The largest payload a record's int32 length (16 + payload, rounded up to 16) can describe (as Java: 2^31 - 65). */
#define MAX_PAYLOAD_LIMIT ((int64_t) INT32_MAX - 64)

/* ---- access to the shared fields ----------------------------------------------------------------------------- */

static _Atomic uint32_t *u32(const jipc_topic *t, size_t offset) {
    return (_Atomic uint32_t *) (t->base + offset);
}

static _Atomic uint64_t *u64(const jipc_topic *t, size_t offset) {
    return (_Atomic uint64_t *) (t->base + offset);
}

static _Atomic int64_t *i64(const jipc_topic *t, size_t offset) {
    return (_Atomic int64_t *) (t->base + offset);
}

static size_t slot_offset(int slot, size_t field) {
    return JIPC_TOPIC_SLOTS_OFFSET + (size_t) JIPC_TOPIC_SLOT_LENGTH * (size_t) slot + field;
}

static _Atomic int32_t *record_length(const jipc_topic *t, uint64_t index) {
    return (_Atomic int32_t *) (t->ring + index + JIPC_TOPIC_RECORD_LENGTH_OFFSET);
}

static _Atomic int32_t *record_type(const jipc_topic *t, uint64_t index) {
    return (_Atomic int32_t *) (t->ring + index + JIPC_TOPIC_RECORD_TYPE_OFFSET);
}

static _Atomic int64_t *record_sequence(const jipc_topic *t, uint64_t index) {
    return (_Atomic int64_t *) (t->ring + index + JIPC_TOPIC_RECORD_SEQUENCE_OFFSET);
}

/* A position's place in the ring: a multiple of 16 inside it, even for a forged position. */
static uint64_t ring_index(const jipc_topic *t, int64_t position) {
    return (uint64_t) position & t->mask;
}

/* a - b without signed overflow (positions from shared memory may be forged). */
static int64_t diff(int64_t a, int64_t b) {
    return (int64_t) ((uint64_t) a - (uint64_t) b);
}

static int64_t space_of(uint32_t payload) {
    return ((int64_t) JIPC_TOPIC_RECORD_HEADER_LENGTH + payload + JIPC_TOPIC_RECORD_ALIGNMENT - 1)
            & ~(int64_t) (JIPC_TOPIC_RECORD_ALIGNMENT - 1);
}

static void write_header(const jipc_topic *t, int64_t position, int32_t length, int32_t type, int64_t sequence) {
    uint64_t index = ring_index(t, position);
    atomic_store_explicit(record_length(t, index), length, memory_order_relaxed);
    atomic_store_explicit(record_type(t, index), type, memory_order_relaxed);
    atomic_store_explicit(record_sequence(t, index), sequence, memory_order_relaxed);
}

/* The ring bytes of the record whose header at index says length and type, or 0 if that header is malformed: a
 * padding record of a length that is not a multiple of 16 or runs past the ring's end, a message longer than the
 * maximum or running past the ring's end, any other type. */
static int64_t record_size(const jipc_topic *t, uint64_t index, int32_t length, int32_t type) {
    if (type == JIPC_TOPIC_PADDING_TYPE) {
        if (length < JIPC_TOPIC_RECORD_HEADER_LENGTH || (length & (JIPC_TOPIC_RECORD_ALIGNMENT - 1)) != 0
                || (uint64_t) length > (uint64_t) t->capacity - index) {
            return 0;
        }
        return length;
    }
    if (type < 1 || length < JIPC_TOPIC_RECORD_HEADER_LENGTH
            || (uint32_t) (length - JIPC_TOPIC_RECORD_HEADER_LENGTH) > t->max_message_length) {
        return 0;
    }
    int64_t space = space_of((uint32_t) (length - JIPC_TOPIC_RECORD_HEADER_LENGTH));
    return (uint64_t) space > (uint64_t) t->capacity - index ? 0 : space;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t value, const struct timespec *timeout) {
    return syscall(SYS_futex, (uint32_t *) word, op, value, timeout, NULL, 0);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t deadline_of(int64_t timeout_ns) {
    return timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
}

/* The next futex slice before deadline (<= 100 ms), or 0 if the deadline has passed. */
static int64_t next_slice(int64_t deadline) {
    int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
    if (left <= 0) {
        return 0;
    }
    return left < SLICE_NS ? left : SLICE_NS;
}

static struct timespec timespec_of(int64_t ns) {
    struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };
    return ts;
}

/* ---- attach and create ---------------------------------------------------------------------------------------- */

static int64_t max_message_limit(int64_t capacity) {
    int64_t limit = capacity / 8 - JIPC_TOPIC_RECORD_HEADER_LENGTH;
    return limit > MAX_PAYLOAD_LIMIT ? MAX_PAYLOAD_LIMIT : limit;
}

static int check_capacity(int64_t capacity, size_t size) {
    if (capacity < JIPC_TOPIC_MIN_CAPACITY || (capacity & (capacity - 1)) != 0) {
        return JIPC_TOPIC_ECAPACITY;
    }
    if ((uint64_t) capacity > (uint64_t) SIZE_MAX - JIPC_TOPIC_HEADER_LENGTH || size < JIPC_TOPIC_SIZE(capacity)) {
        return JIPC_TOPIC_ETOOSMALL;
    }
    return JIPC_TOPIC_OK;
}

int jipc_topic_attach(jipc_topic *t, void *base, size_t size) {
    unsigned char *b = base;
    if (((uintptr_t) b) % 8 != 0) {
        return JIPC_TOPIC_EALIGN;
    }
    if (size < JIPC_TOPIC_HEADER_LENGTH) {
        return JIPC_TOPIC_ETOOSMALL;
    }
    memset(t, 0, sizeof *t);
    t->base = b;
    /* acquire: the creator wrote the whole header before the magic (release) */
    if (atomic_load_explicit(u64(t, JIPC_TOPIC_MAGIC_OFFSET), memory_order_acquire) != JIPC_TOPIC_MAGIC) {
        return JIPC_TOPIC_EMAGIC;
    }
    /* the checks in the page's order: version, header length, capacity, max message length, flags, slot count */
    uint32_t version = atomic_load_explicit(u32(t, JIPC_TOPIC_VERSION_OFFSET), memory_order_relaxed);
    uint32_t header = atomic_load_explicit(u32(t, JIPC_TOPIC_HEADER_LENGTH_OFFSET), memory_order_relaxed);
    int64_t capacity = atomic_load_explicit(i64(t, JIPC_TOPIC_CAPACITY_OFFSET), memory_order_relaxed);
    int32_t max = (int32_t) atomic_load_explicit(u32(t, JIPC_TOPIC_MAX_MESSAGE_LENGTH_OFFSET),
                                                 memory_order_relaxed);
    uint32_t flags = atomic_load_explicit(u32(t, JIPC_TOPIC_FLAGS_OFFSET), memory_order_relaxed);
    uint32_t slots = atomic_load_explicit(u32(t, JIPC_TOPIC_SLOT_COUNT_OFFSET), memory_order_relaxed);
    if (version != JIPC_TOPIC_LAYOUT_VERSION) {
        return JIPC_TOPIC_EVERSION;
    }
    if (header != JIPC_TOPIC_HEADER_LENGTH) {
        return JIPC_TOPIC_EHEADER;
    }
    int error = check_capacity(capacity, size);
    if (error != JIPC_TOPIC_OK) {
        return error;
    }
    if (max < 1 || max > max_message_limit(capacity)) {
        return JIPC_TOPIC_EMAXMSG;
    }
    if ((flags & ~(uint32_t) JIPC_TOPIC_FLAG_OVERWRITE) != 0) {
        return JIPC_TOPIC_EFLAGS;
    }
    if (slots != JIPC_TOPIC_SLOT_COUNT) {
        return JIPC_TOPIC_ESLOTS;
    }
    t->ring = b + JIPC_TOPIC_HEADER_LENGTH;
    t->capacity = capacity;
    t->mask = (uint64_t) (capacity - 1) & ~(uint64_t) (JIPC_TOPIC_RECORD_ALIGNMENT - 1);
    t->max_message_length = (uint32_t) max;
    t->overwrite = (flags & JIPC_TOPIC_FLAG_OVERWRITE) != 0;
    return JIPC_TOPIC_OK;
}

int jipc_topic_create(void *base, size_t size, int64_t capacity, uint32_t max_message_length, uint32_t flags) {
    jipc_topic t = { .base = base };
    if (((uintptr_t) base) % 8 != 0) {
        return JIPC_TOPIC_EALIGN;
    }
    if (size < JIPC_TOPIC_HEADER_LENGTH) {
        return JIPC_TOPIC_ETOOSMALL;
    }
    int error = check_capacity(capacity, size);
    if (error != JIPC_TOPIC_OK) {
        return error;
    }
    if (max_message_length < 1 || (int64_t) max_message_length > max_message_limit(capacity)) {
        return JIPC_TOPIC_EMAXMSG;
    }
    if ((flags & ~(uint32_t) JIPC_TOPIC_FLAG_OVERWRITE) != 0) {
        return JIPC_TOPIC_EFLAGS;
    }
    if (atomic_load(u64(&t, JIPC_TOPIC_MAGIC_OFFSET)) != 0) {
        return JIPC_TOPIC_EEXIST;
    }
    /* plain stores on zeroed memory; the magic, last, publishes them (tail, intent, oldest, floor, the slots and a
     * look-ahead header saying sequence 0 are all zero already) */
    atomic_store_explicit(u32(&t, JIPC_TOPIC_VERSION_OFFSET), JIPC_TOPIC_LAYOUT_VERSION, memory_order_relaxed);
    atomic_store_explicit(u32(&t, JIPC_TOPIC_FLAGS_OFFSET), flags, memory_order_relaxed);
    atomic_store_explicit(i64(&t, JIPC_TOPIC_CAPACITY_OFFSET), capacity, memory_order_relaxed);
    atomic_store_explicit(u32(&t, JIPC_TOPIC_MAX_MESSAGE_LENGTH_OFFSET), max_message_length, memory_order_relaxed);
    atomic_store_explicit(u32(&t, JIPC_TOPIC_HEADER_LENGTH_OFFSET), JIPC_TOPIC_HEADER_LENGTH, memory_order_relaxed);
    atomic_store_explicit(u64(&t, JIPC_TOPIC_CREATOR_PARTY_OFFSET), jipc_live_process_party(), memory_order_relaxed);
    atomic_store_explicit(u32(&t, JIPC_TOPIC_CREATOR_PID_OFFSET), (uint32_t) getpid(), memory_order_relaxed);
    atomic_store_explicit(u64(&t, JIPC_TOPIC_CREATOR_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_relaxed);
    atomic_store_explicit(u32(&t, JIPC_TOPIC_SLOT_COUNT_OFFSET), JIPC_TOPIC_SLOT_COUNT, memory_order_relaxed);
    atomic_store_explicit(u64(&t, JIPC_TOPIC_MAGIC_OFFSET), JIPC_TOPIC_MAGIC, memory_order_release);
    return JIPC_TOPIC_OK;
}

const char *jipc_topic_strerror(int error) {
    switch (error) {
    case JIPC_TOPIC_OK: return "ok";
    case JIPC_TOPIC_EALIGN: return "segment not 8-byte aligned";
    case JIPC_TOPIC_ETOOSMALL: return "segment smaller than the topic it holds";
    case JIPC_TOPIC_EMAGIC: return "no jipc topic there (magic)";
    case JIPC_TOPIC_EVERSION: return "unsupported layout version";
    case JIPC_TOPIC_EHEADER: return "header length is not 12288";
    case JIPC_TOPIC_ECAPACITY: return "capacity is not a power of two >= 1024";
    case JIPC_TOPIC_EMAXMSG: return "max message length out of range";
    case JIPC_TOPIC_EFLAGS: return "unsupported flags (a later format)";
    case JIPC_TOPIC_ESLOTS: return "slot count is not 64";
    case JIPC_TOPIC_EEXIST: return "segment not zero (a topic may be there)";
    default: return "unknown error";
    }
}

/* ---- publisher ---------------------------------------------------------------------------------------------- */

static int holds_publisher(const jipc_topic_publisher *p) {
    if (p->party == 0 || p->generation != jipc_live_fork_generation()) {
        errno = EPERM;
        return 0;
    }
    return 1;
}

/* "Publisher role": the local state from the header, repaired if torn. A correct predecessor keeps
 * 0 <= tail - oldest <= capacity, intent >= tail and oldest >= intent - capacity (it stores oldest before intent);
 * if any of these fails, the history is lost (oldest = tail), never the topic. The intent is never lowered, except
 * from a value no publisher can have written (more than a ring beyond the tail). */
static void recover(jipc_topic_publisher *p) {
    const jipc_topic *t = &p->topic;
    int64_t tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
    int64_t intent = atomic_load_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), memory_order_acquire);
    int64_t oldest = atomic_load_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), memory_order_acquire);
    int64_t stored_intent = intent;
    int64_t stored_oldest = oldest;
    if (diff(intent, tail) < 0) {
        intent = tail;
    } else if (diff(intent, tail) > t->capacity) {
        intent = tail + t->capacity; /* every record below the tail counts as overwritten */
    }
    if (diff(tail, oldest) < 0 || diff(tail, oldest) > t->capacity || diff(diff(intent, t->capacity), oldest) > 0) {
        oldest = tail;
    }
    if (oldest != stored_oldest) {
        atomic_store_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), oldest, memory_order_release);
    }
    if (intent != stored_intent) {
        atomic_store_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), intent, memory_order_release);
    }
    p->tail = tail;
    p->intent = intent;
    p->oldest = oldest;
    /* the look-ahead header at the tail: a predecessor killed after it overwrote it with padding or the record of
     * the next message left the same sequence there */
    p->next = atomic_load_explicit(record_sequence(t, ring_index(t, tail)), memory_order_relaxed);
    /* floorCache is recomputed before the first write (positions compare by difference, so no value means "below
     * everything"); the published floor only grows (a floor beyond the tail was never published by a publisher:
     * forged, it is brought back to the tail) */
    p->floor_known = 0;
    p->floor = atomic_load_explicit(i64(t, JIPC_TOPIC_FLOOR_OFFSET), memory_order_acquire);
    if (diff(p->floor, tail) > 0) {
        p->floor = tail;
        atomic_store_explicit(i64(t, JIPC_TOPIC_FLOOR_OFFSET), tail, memory_order_release);
    }
}

int jipc_topic_publisher_open(jipc_topic_publisher *p, const jipc_topic *t) {
    memset(p, 0, sizeof *p);
    p->topic = *t;
    uint64_t party = jipc_live_new_party();
    if (party == 0) {
        return -1;
    }
    uint64_t previous;
    if (jipc_live_take_role(u64(t, JIPC_TOPIC_PUBLISHER_PARTY_OFFSET), party, &previous) < 0) {
        int error = errno;
        jipc_live_release_party(party);
        errno = error;
        return -1;
    }
    jipc_live_role_taken();
    p->party = party;
    p->generation = jipc_live_fork_generation();
    atomic_store_explicit(u32(t, JIPC_TOPIC_PUBLISHER_PID_OFFSET), (uint32_t) getpid(), memory_order_release);
    atomic_store_explicit(u64(t, JIPC_TOPIC_PUBLISHER_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_release);
    if (previous != 0) {
        /* the dead publisher may have died waiting for room: one needless wake per batch otherwise */
        atomic_store(u32(t, JIPC_TOPIC_PUBLISHER_WAITING_OFFSET), 0);
    }
    recover(p);
    return 0;
}

void jipc_topic_publisher_close(jipc_topic_publisher *p) {
    if (p->party == 0) {
        return;
    }
    uint64_t party = p->party;
    p->party = 0;
    p->claimed = 0;
    if (p->generation != jipc_live_fork_generation()) {
        return; /* a forked child: the role is its parent's */
    }
    if (jipc_live_give_role_back(u64(&p->topic, JIPC_TOPIC_PUBLISHER_PARTY_OFFSET), party)) {
        jipc_live_role_given_back();
    }
    jipc_live_release_party(party);
}

/* The smallest cursor of a slot in use (party != 0, cursor >= 0), or the tail if it is lower or there is none. */
static int64_t min_cursor(const jipc_topic_publisher *p) {
    const jipc_topic *t = &p->topic;
    int64_t m = p->tail;
    for (int i = 0; i < JIPC_TOPIC_SLOT_COUNT; i++) {
        if (atomic_load_explicit(u64(t, slot_offset(i, JIPC_TOPIC_SLOT_PARTY_OFFSET)), memory_order_acquire) == 0) {
            continue;
        }
        int64_t cursor = atomic_load_explicit(i64(t, slot_offset(i, JIPC_TOPIC_SLOT_CURSOR_OFFSET)),
                                              memory_order_acquire);
        if (cursor >= 0 && diff(cursor, m) < 0) {
            m = cursor;
        }
    }
    return m;
}

/* "The floor" 2: judges the subscribers whose cursor is below `overwritten` (at most every 10 ms unless now) and
 * drops the dead: sleeping bit cleared, then party from the dead id to 0. Returns how many it dropped. */
static int drop_dead_laggards(jipc_topic_publisher *p, int64_t overwritten, int now) {
    const jipc_topic *t = &p->topic;
    int64_t time = now_ns();
    if (!now && time < p->next_drop_check) {
        return 0;
    }
    p->next_drop_check = time + DROP_CHECK_NS;
    int dropped = 0;
    for (int i = 0; i < JIPC_TOPIC_SLOT_COUNT; i++) {
        _Atomic uint64_t *word = u64(t, slot_offset(i, JIPC_TOPIC_SLOT_PARTY_OFFSET));
        uint64_t party = atomic_load_explicit(word, memory_order_acquire);
        if (party == 0) {
            continue;
        }
        int64_t cursor = atomic_load_explicit(i64(t, slot_offset(i, JIPC_TOPIC_SLOT_CURSOR_OFFSET)),
                                              memory_order_acquire);
        if (cursor < 0 || diff(cursor, overwritten) >= 0 || jipc_live_check(party) != JIPC_LIVE_DEAD) {
            continue;
        }
        atomic_fetch_and(u64(t, JIPC_TOPIC_SLEEPING_OFFSET), ~(1ULL << i));
        if (atomic_compare_exchange_strong(word, &party, 0)) {
            jipc_live_remove_dead_token(party);
            dropped++;
        }
    }
    return dropped;
}

/* "The floor" (BLOCK): recomputes floorCache, publishing the floor for joining subscribers to see, and says whether
 * positions below `overwritten` may be overwritten now. judge_now: judge laggards now (before a sleep).
 *
 * The published floor never goes down (max of what it was and m): a subscriber that joins at a stale position p
 * (descheduled after it read the tail, or after its history walk) and is seen by a scan must still find a floor
 * above p if anything at or above p was overwritten in an earlier round. floorCache, which bounds the writes, is
 * min(m, m2) and may be below the published floor. */
static int has_room(jipc_topic_publisher *p, int64_t overwritten, int judge_now) {
    const jipc_topic *t = &p->topic;
    int64_t m = min_cursor(p);
    for (int round = 0; round < 2 && diff(overwritten, m) > 0 && drop_dead_laggards(p, overwritten, judge_now) > 0;
            round++) {
        m = min_cursor(p);
    }
    /* Dekker with a joining subscriber (cursor store, fence, floor load): either it sees this floor (or a later
     * one) and moves up to it, or the second scan sees its cursor and floorCache stays at or below it */
    if (diff(m, p->floor) > 0) {
        p->floor = m;
        atomic_store_explicit(i64(t, JIPC_TOPIC_FLOOR_OFFSET), m, memory_order_release);
    }
    atomic_thread_fence(memory_order_seq_cst);
    int64_t m2 = min_cursor(p);
    p->floor_cache = diff(m2, m) < 0 ? m2 : m;
    p->floor_known = 1;
    return diff(overwritten, p->floor_cache) <= 0;
}

/* Step 1 for a payload of length bytes: where the record goes (after padding of *pad bytes) and the end of what
 * is written, look-ahead header included. */
static int64_t plan(const jipc_topic_publisher *p, uint32_t length, int64_t *pad, int64_t *end) {
    const jipc_topic *t = &p->topic;
    int64_t space = space_of(length);
    int64_t to_end = t->capacity - (int64_t) ring_index(t, p->tail);
    *pad = space > to_end ? to_end : 0;
    int64_t start = p->tail + *pad;
    *end = start + space + JIPC_TOPIC_RECORD_HEADER_LENGTH;
    return start;
}

/* Step 3: oldest moves past every record that the bytes up to `limit + capacity` overwrite. */
static void advance_oldest(jipc_topic_publisher *p, int64_t limit) {
    const jipc_topic *t = &p->topic;
    int64_t oldest = p->oldest;
    while (diff(limit, oldest) > 0) {
        if (diff(p->tail, oldest) <= 0) {
            oldest = p->tail;
            break;
        }
        uint64_t index = ring_index(t, oldest);
        int64_t size = record_size(t, index, atomic_load_explicit(record_length(t, index), memory_order_relaxed),
                                   atomic_load_explicit(record_type(t, index), memory_order_relaxed));
        if (size == 0) {
            oldest = p->tail; /* a malformed record: the history is lost, nothing else */
            break;
        }
        oldest += size;
    }
    if (diff(oldest, p->tail) > 0) {
        oldest = p->tail;
    }
    if (oldest != p->oldest) {
        p->oldest = oldest;
        atomic_store_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), oldest, memory_order_release);
    }
}

/* Steps 1-4: room (BLOCK), oldest, intent. 1 with *start set, 0 if BLOCK has no room, -1 with errno. */
static int reserve(jipc_topic_publisher *p, int32_t type, uint32_t length, int64_t *start) {
    if (!holds_publisher(p)) {
        return -1;
    }
    if (p->claimed) {
        errno = EALREADY;
        return -1;
    }
    const jipc_topic *t = &p->topic;
    if (type < 1 || length > t->max_message_length) {
        errno = EINVAL;
        return -1;
    }
    int64_t pad;
    int64_t end;
    *start = plan(p, length, &pad, &end);
    /* 2. the write overwrites positions below end - capacity */
    int64_t overwritten = end - t->capacity;
    if (!t->overwrite && (!p->floor_known || diff(overwritten, p->floor_cache) > 0) && !has_room(p, overwritten, 0)) {
        return 0;
    }
    /* 3. with the intent it may inherit from a predecessor: oldest >= intent - capacity at every moment */
    advance_oldest(p, (diff(p->intent, end) > 0 ? p->intent : end) - t->capacity);
    /* 4. the intent before any byte: a reader that sees a byte written from here on sees this intent */
    if (diff(end, p->intent) > 0) {
        p->intent = end;
        atomic_store_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), end, memory_order_release);
        atomic_thread_fence(memory_order_release);
    }
    return 1;
}

/* Steps 5-9 for a record at start whose payload is written. */
static void publish(jipc_topic_publisher *p, int64_t start, int32_t type, uint32_t length) {
    const jipc_topic *t = &p->topic;
    /* 5. padding to the ring's end, carrying the sequence of the message after it */
    if (start != p->tail) {
        write_header(t, p->tail, (int32_t) (start - p->tail), JIPC_TOPIC_PADDING_TYPE, p->next);
    }
    /* 6. the header (the payload is there) */
    write_header(t, start, (int32_t) (JIPC_TOPIC_RECORD_HEADER_LENGTH + length), type, p->next);
    /* 7. the look-ahead header: where and with which sequence the next message comes */
    int64_t new_tail = start + space_of(length);
    write_header(t, new_tail, 0, 0, p->next + 1);
    /* 8. publish: every store above becomes visible with the tail */
    atomic_store_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), new_tail, memory_order_release);
    p->tail = new_tail;
    p->next++;
    /* 9. Dekker with a subscriber going to sleep (sleeping bit, then tail re-check); the bits are taken, so a
     * sleeper costs one wake, not one per message until it runs and clears its bit */
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint64_t *sleeping = u64(t, JIPC_TOPIC_SLEEPING_OFFSET);
    if (atomic_load_explicit(sleeping, memory_order_relaxed) != 0 && atomic_exchange(sleeping, 0) != 0) {
        _Atomic uint32_t *wake = u32(t, JIPC_TOPIC_SUBSCRIBER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        futex(wake, FUTEX_WAKE, INT_MAX, NULL);
    }
}

int jipc_topic_publisher_offer(jipc_topic_publisher *p, int32_t type, const void *payload, uint32_t length) {
    int64_t start;
    int reserved = reserve(p, type, length, &start);
    if (reserved <= 0) {
        return reserved;
    }
    memcpy(p->topic.ring + ring_index(&p->topic, start) + JIPC_TOPIC_RECORD_HEADER_LENGTH, payload, length);
    publish(p, start, type, length);
    return 1;
}

void *jipc_topic_publisher_claim(jipc_topic_publisher *p, int32_t type, uint32_t length) {
    int64_t start;
    int reserved = reserve(p, type, length, &start);
    if (reserved <= 0) {
        if (reserved == 0) {
            errno = EAGAIN;
        }
        return NULL;
    }
    p->claimed = 1;
    p->claim_type = type;
    p->claim_length = length;
    p->claim_start = start;
    return p->topic.ring + ring_index(&p->topic, start) + JIPC_TOPIC_RECORD_HEADER_LENGTH;
}

int jipc_topic_publisher_commit(jipc_topic_publisher *p) {
    if (!holds_publisher(p)) {
        return -1;
    }
    if (!p->claimed) {
        errno = EINVAL;
        return -1;
    }
    p->claimed = 0;
    publish(p, p->claim_start, p->claim_type, p->claim_length);
    return 0;
}

void jipc_topic_publisher_abort(jipc_topic_publisher *p) {
    /* the intent and oldest it advanced stay advanced: readers count the room it gave up as overwritten */
    p->claimed = 0;
}

int jipc_topic_publisher_wait_room(jipc_topic_publisher *p, uint32_t length, int64_t timeout_ns) {
    if (!holds_publisher(p)) {
        return -1;
    }
    const jipc_topic *t = &p->topic;
    if (length > t->max_message_length) {
        errno = EINVAL;
        return -1;
    }
    if (t->overwrite) {
        return 1;
    }
    int64_t deadline = deadline_of(timeout_ns);
    _Atomic uint32_t *wake = u32(t, JIPC_TOPIC_PUBLISHER_WAKE_OFFSET);
    _Atomic uint32_t *waiting = u32(t, JIPC_TOPIC_PUBLISHER_WAITING_OFFSET);
    for (;;) {
        int64_t pad;
        int64_t end;
        plan(p, length, &pad, &end);
        int64_t overwritten = end - t->capacity;
        if ((p->floor_known && diff(overwritten, p->floor_cache) <= 0) || has_room(p, overwritten, 0)) {
            return 1;
        }
        int64_t slice = next_slice(deadline);
        if (slice == 0) {
            return 0;
        }
        struct timespec ts = timespec_of(slice);
        /* read the wake word before announcing: a subscriber's increment after the re-check makes FUTEX_WAIT
         * return at once */
        uint32_t seen = atomic_load(wake);
        atomic_store(waiting, 1);
        atomic_thread_fence(memory_order_seq_cst);
        /* re-check, judging the laggards now: a subscriber killed while we wait is dropped within one slice */
        if (!has_room(p, overwritten, 1)) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_store(waiting, 0);
    }
}

int jipc_topic_publisher_put(jipc_topic_publisher *p, int32_t type, const void *payload, uint32_t length,
                             int64_t timeout_ns) {
    int64_t deadline = deadline_of(timeout_ns);
    for (;;) {
        int sent = jipc_topic_publisher_offer(p, type, payload, length);
        if (sent != 0) {
            return sent;
        }
        int64_t left = deadline == INT64_MAX ? -1 : deadline - now_ns();
        if (deadline != INT64_MAX && left <= 0) {
            return 0;
        }
        int room = jipc_topic_publisher_wait_room(p, length, left);
        if (room <= 0) {
            return room;
        }
    }
}

/* ---- subscriber ------------------------------------------------------------------------------------------------ */

static int holds_slot(const jipc_topic_subscriber *s) {
    if (s->party == 0 || s->generation != jipc_live_fork_generation()) {
        errno = EPERM;
        return 0;
    }
    return 1;
}

static _Atomic int64_t *my_field(const jipc_topic_subscriber *s, size_t field) {
    return i64(&s->topic, slot_offset(s->slot, field));
}

/* "Joining" 1: a free slot, else one whose holder is certainly dead, taken with one compare-and-set; the slot's
 * sleeping bit is cleared after the CAS (the dead holder may have died asleep). Slot index, or -1 EBUSY. */
static int take_slot(const jipc_topic *t, uint64_t party) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < JIPC_TOPIC_SLOT_COUNT; i++) {
            _Atomic uint64_t *word = u64(t, slot_offset(i, JIPC_TOPIC_SLOT_PARTY_OFFSET));
            uint64_t holder = atomic_load_explicit(word, memory_order_acquire);
            int takeable = holder == 0 || (pass == 1 && jipc_live_check(holder) == JIPC_LIVE_DEAD);
            if (takeable && atomic_compare_exchange_strong(word, &holder, party)) {
                atomic_fetch_and(u64(t, JIPC_TOPIC_SLEEPING_OFFSET), ~(1ULL << i));
                jipc_live_remove_dead_token(holder);
                return i;
            }
        }
    }
    errno = EBUSY;
    return -1;
}

/* Reads the header at position and checks it was whole (an OVERWRITE read): 1 with the fields set, 0 if the
 * publisher may have overwritten it (intent - capacity > position). */
static int read_header_checked(const jipc_topic *t, int64_t position, int32_t *length, int32_t *type,
                               int64_t *sequence) {
    uint64_t index = ring_index(t, position);
    *length = atomic_load_explicit(record_length(t, index), memory_order_relaxed);
    *type = atomic_load_explicit(record_type(t, index), memory_order_relaxed);
    *sequence = atomic_load_explicit(record_sequence(t, index), memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    int64_t intent = atomic_load_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), memory_order_acquire);
    return diff(diff(intent, t->capacity), position) <= 0;
}

/* "Joining" 2 with history k > 0: the first record, walking from oldest, whose sequence is at least the look-ahead
 * sequence minus k (or the tail). 0 with *position set, or -1 with errno EPROTO (corrupt) or EAGAIN (the publisher
 * kept overwriting the walk, MAX_ATTEMPTS times). */
static int find_history(const jipc_topic_subscriber *s, int64_t k, int64_t *position) {
    const jipc_topic *t = &s->topic;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        int64_t tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
        int32_t length;
        int32_t type;
        int64_t next;
        if (!read_header_checked(t, tail, &length, &type, &next)) {
            continue;
        }
        int64_t wanted = next - k;
        int64_t c = atomic_load_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), memory_order_acquire);
        if (diff(tail, c) < 0 || diff(tail, c) > t->capacity) {
            c = tail; /* a torn oldest: no history */
        }
        int overwritten = 0;
        while (diff(tail, c) > 0) {
            int64_t sequence;
            if (!read_header_checked(t, c, &length, &type, &sequence)) {
                overwritten = 1;
                break;
            }
            if (diff(sequence, wanted) >= 0) {
                break;
            }
            int64_t size = record_size(t, ring_index(t, c), length, type);
            if (size == 0) {
                errno = EPROTO;
                return -1;
            }
            c += size;
        }
        if (overwritten) {
            continue;
        }
        if (diff(c, tail) > 0) {
            errno = EPROTO;
            return -1;
        }
        *position = c;
        return 0;
    }
    errno = EAGAIN;
    return -1;
}

/* BLOCK: wakes the publisher if it sleeps on a full ring (after the cursor's store: Dekker with its
 * publisherWaiting store and re-check). */
static void wake_publisher(const jipc_topic *t) {
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint32_t *waiting = u32(t, JIPC_TOPIC_PUBLISHER_WAITING_OFFSET);
    uint32_t one = 1;
    if (atomic_load_explicit(waiting, memory_order_relaxed) == 1 && atomic_compare_exchange_strong(waiting, &one, 0)) {
        _Atomic uint32_t *wake = u32(t, JIPC_TOPIC_PUBLISHER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        futex(wake, FUTEX_WAKE, 1, NULL);
    }
}

/* "Reading (OVERWRITE)" 5, lapped again before it delivered anything: walks the record headers from oldest to the
 * newest record (the last below the tail it loaded first) and resumes there. The oldest record is the next one the
 * publisher overwrites, so a publisher that writes a record while this subscriber copies one would invalidate it
 * again and again (a tug of war); at the newest record it has a whole ring of runway. The headers are proven whole
 * after the first header and then in batches of WALK_BATCH (one intent load after a batch covers every header of it:
 * the intent only grows). 1 when done, 0 if the publisher overtook the walk JUMP_ATTEMPTS times, -1 (errno EPROTO)
 * for a whole, malformed record. */
#define WALK_BATCH 16
/* Walks a jump may have overtaken before it resumes at oldest instead (each costs up to a ring of header reads). */
#define JUMP_ATTEMPTS 8
static int jump_ahead(jipc_topic_subscriber *s, int64_t *c) {
    const jipc_topic *t = &s->topic;
    for (int attempt = 0; attempt < JUMP_ATTEMPTS; attempt++) {
        int64_t tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
        int64_t p = atomic_load_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), memory_order_acquire);
        if (diff(tail, p) <= 0 || diff(tail, p) > t->capacity) {
            continue; /* nothing to walk, or a publisher between its stores */
        }
        int64_t unchecked = p; /* the first header read but not yet proven whole */
        for (int read = 1;; read++) {
            uint64_t index = ring_index(t, p);
            int32_t length = atomic_load_explicit(record_length(t, index), memory_order_relaxed);
            int32_t type = atomic_load_explicit(record_type(t, index), memory_order_relaxed);
            int64_t sequence = atomic_load_explicit(record_sequence(t, index), memory_order_relaxed);
            int64_t size = record_size(t, index, length, type);
            if (diff(p + size, tail) > 0) {
                size = 0; /* runs past the tail: malformed */
            }
            int there = size > 0 && diff(p + size, tail) >= 0; /* the newest record */
            /* the first header right away: it lies where the publisher writes next */
            if (size == 0 || there || read == 1 || read % WALK_BATCH == 0) {
                atomic_thread_fence(memory_order_acquire);
                int64_t intent = atomic_load_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), memory_order_acquire);
                if (diff(diff(intent, t->capacity), unchecked) > 0) {
                    break; /* overtaken: what we read may be torn; walk again from the new oldest */
                }
                if (size == 0) {
                    errno = EPROTO;
                    return -1;
                }
                if (there) {
                    if (diff(sequence, s->expected) > 0) {
                        s->lost += diff(sequence, s->expected);
                    }
                    s->expected = sequence;
                    *c = p;
                    return 1;
                }
                unchecked = p + size;
            }
            p += size;
        }
    }
    return 0;
}

/* "Reading (OVERWRITE)" 4: lapped, resume at oldest, or jump ahead if lapped again before delivering anything; what
 * lies between counts as lost (count_lost: not when joining, where nothing was expected yet). 1 when done, 0 if the
 * publisher raced past again MAX_ATTEMPTS times, -1 (errno EPROTO) for a malformed record. */
static int resync(jipc_topic_subscriber *s, int64_t *c, int count_lost) {
    const jipc_topic *t = &s->topic;
    int jump = s->lapped_since_delivery && count_lost;
    s->lapped_since_delivery = 1;
    if (jump) {
        int jumped = jump_ahead(s, c);
        if (jumped != 0) {
            s->lapped = 0;
            return jumped;
        }
    }
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        int64_t o = atomic_load_explicit(i64(t, JIPC_TOPIC_OLDEST_OFFSET), memory_order_acquire);
        int32_t length;
        int32_t type;
        int64_t sequence;
        if (!read_header_checked(t, o, &length, &type, &sequence)) {
            continue;
        }
        if (count_lost && diff(sequence, s->expected) > 0) {
            s->lost += diff(sequence, s->expected);
        }
        s->expected = sequence;
        s->lapped = 0;
        *c = o;
        return 1;
    }
    return 0;
}

/* "Joining" 2-4. */
static int join(jipc_topic_subscriber *s, int64_t history) {
    const jipc_topic *t = &s->topic;
    _Atomic int64_t *cursor = my_field(s, JIPC_TOPIC_SLOT_CURSOR_OFFSET);
    int64_t p;
    if (history == 0) {
        p = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
    } else if (find_history(s, history, &p) < 0) {
        return -1;
    }
    if (t->overwrite) {
        atomic_store_explicit(cursor, p, memory_order_release);
        int32_t length;
        int32_t type;
        if (!read_header_checked(t, p, &length, &type, &s->expected) && resync(s, &p, 0) != 1) {
            errno = EAGAIN;
            return -1;
        }
        s->lapped_since_delivery = 0;
        atomic_store_explicit(cursor, p, memory_order_release);
    } else {
        /* the floor handshake: cursor, fence, floor; a floor above p means records below it may be overwritten */
        for (int round = 0;; round++) {
            if (round == MAX_ATTEMPTS) {
                errno = EPROTO;
                return -1;
            }
            atomic_store_explicit(cursor, p, memory_order_relaxed);
            atomic_thread_fence(memory_order_seq_cst);
            int64_t floor = atomic_load_explicit(i64(t, JIPC_TOPIC_FLOOR_OFFSET), memory_order_acquire);
            if (diff(floor, p) <= 0) {
                break;
            }
            p = floor;
        }
        int64_t tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
        if (diff(p, tail) > 0 || diff(tail, p) > t->capacity) {
            errno = EPROTO; /* a floor or history beyond the tail, or a ring behind it */
            return -1;
        }
        s->expected = atomic_load_explicit(record_sequence(t, ring_index(t, p)), memory_order_relaxed);
        /* a stale cursor this slot held until our cursor store may have kept the publisher waiting */
        wake_publisher(t);
    }
    s->cursor = p;
    s->tail_cache = p;
    return 0;
}

int jipc_topic_subscriber_open(jipc_topic_subscriber *s, const jipc_topic *t, int64_t history) {
    memset(s, 0, sizeof *s);
    s->topic = *t;
    s->slot = -1;
    if (history < 0) {
        errno = EINVAL;
        return -1;
    }
    if (t->overwrite && (s->copy = malloc(t->max_message_length)) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    uint64_t party = jipc_live_new_party();
    int slot = party == 0 ? -1 : take_slot(t, party);
    if (slot < 0) {
        int error = errno;
        if (party != 0) {
            jipc_live_release_party(party);
        }
        free(s->copy);
        s->copy = NULL;
        errno = error;
        return -1;
    }
    jipc_live_role_taken();
    s->party = party;
    s->generation = jipc_live_fork_generation();
    s->slot = slot;
    atomic_store(my_field(s, JIPC_TOPIC_SLOT_CURSOR_OFFSET), -1);
    atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_RECEIVED_OFFSET), 0, memory_order_release);
    atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_LOST_OFFSET), 0, memory_order_release);
    atomic_store_explicit(u32(t, slot_offset(slot, JIPC_TOPIC_SLOT_PID_OFFSET)), (uint32_t) getpid(),
                          memory_order_release);
    atomic_store_explicit(u64(t, slot_offset(slot, JIPC_TOPIC_SLOT_PID_NAMESPACE_OFFSET)),
                          jipc_live_pid_namespace(), memory_order_release);
    if (join(s, history) < 0) {
        int error = errno;
        jipc_topic_subscriber_close(s);
        errno = error;
        return -1;
    }
    return 0;
}

void jipc_topic_subscriber_close(jipc_topic_subscriber *s) {
    if (s->party != 0 && s->generation == jipc_live_fork_generation()) {
        const jipc_topic *t = &s->topic;
        atomic_fetch_and(u64(t, JIPC_TOPIC_SLEEPING_OFFSET), ~(1ULL << s->slot));
        /* cursor -1 before the party goes: a publisher never pairs our cursor with the slot's next holder */
        atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_CURSOR_OFFSET), -1, memory_order_release);
        if (jipc_live_give_role_back(u64(t, slot_offset(s->slot, JIPC_TOPIC_SLOT_PARTY_OFFSET)), s->party)) {
            jipc_live_role_given_back();
        }
        jipc_live_release_party(s->party);
        if (!t->overwrite) {
            wake_publisher(t); /* it may have waited for us */
        }
    }
    s->party = 0;
    free(s->copy);
    s->copy = NULL;
}

/* After a batch: received, lost and the cursor, each one release store. */
static void publish_progress(jipc_topic_subscriber *s, int64_t c) {
    s->cursor = c;
    atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_RECEIVED_OFFSET), s->received, memory_order_release);
    atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_LOST_OFFSET), s->lost, memory_order_release);
    atomic_store_explicit(my_field(s, JIPC_TOPIC_SLOT_CURSOR_OFFSET), c, memory_order_release);
}

/* "Reading (BLOCK)": in place; the publisher writes nothing at or above our cursor. */
static int poll_block(jipc_topic_subscriber *s, jipc_topic_handler handler, void *context, int limit) {
    const jipc_topic *t = &s->topic;
    int64_t c = s->cursor;
    int64_t tail = s->tail_cache;
    int64_t walked = 0;
    int messages = 0;
    int corrupt = 0;
    while (messages < limit && walked < t->capacity) {
        if (diff(tail, c) <= 0) {
            tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
            if (diff(tail, c) <= 0) {
                corrupt = diff(tail, c) < 0;
                break;
            }
        }
        if (diff(tail, c) > t->capacity) {
            corrupt = 1;
            break;
        }
        uint64_t index = ring_index(t, c);
        int32_t length = atomic_load_explicit(record_length(t, index), memory_order_relaxed);
        int32_t type = atomic_load_explicit(record_type(t, index), memory_order_relaxed);
        int64_t size = record_size(t, index, length, type);
        if (size == 0) {
            corrupt = 1;
            break;
        }
        if (type != JIPC_TOPIC_PADDING_TYPE) {
            int64_t sequence = atomic_load_explicit(record_sequence(t, index), memory_order_relaxed);
            handler(context, type, t->ring + index + JIPC_TOPIC_RECORD_HEADER_LENGTH,
                    (uint32_t) (length - JIPC_TOPIC_RECORD_HEADER_LENGTH));
            if (diff(sequence, s->expected) > 0) {
                s->lost += diff(sequence, s->expected);
            }
            s->expected = sequence + 1;
            s->received++;
            messages++;
        }
        c += size;
        walked += size;
    }
    s->tail_cache = tail;
    if (walked > 0) {
        publish_progress(s, c);
        wake_publisher(t);
    }
    if (corrupt) {
        errno = EPROTO;
        return -1;
    }
    return messages;
}

/* "Reading (OVERWRITE)": header, check, copy out, check again; lapped: resume at oldest. */
static int poll_overwrite(jipc_topic_subscriber *s, jipc_topic_handler handler, void *context, int limit) {
    const jipc_topic *t = &s->topic;
    int64_t c = s->cursor;
    int64_t start = c;
    int64_t tail = s->tail_cache;
    int64_t walked = 0;
    int resyncs = 0;
    int messages = 0;
    int corrupt = 0;
    while (messages < limit && walked < t->capacity) {
        if (s->lapped) {
            if (++resyncs > MAX_RESYNCS) {
                break; /* the publisher keeps racing past: try again at the next poll */
            }
            int resynced = resync(s, &c, 1);
            if (resynced <= 0) {
                corrupt = resynced < 0;
                break; /* corrupt, or the publisher keeps racing past: try again at the next poll */
            }
            tail = c;
        }
        if (diff(tail, c) <= 0) {
            tail = atomic_load_explicit(i64(t, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire);
            if (diff(tail, c) <= 0) {
                corrupt = diff(tail, c) < 0;
                break;
            }
        }
        if (diff(tail, c) > t->capacity) {
            s->lapped = 1;
            continue;
        }
        int32_t length;
        int32_t type;
        int64_t sequence;
        /* 1. the header, then whether it was overwritten before we read it */
        if (!read_header_checked(t, c, &length, &type, &sequence)) {
            s->lapped = 1;
            continue;
        }
        uint64_t index = ring_index(t, c);
        int64_t size = record_size(t, index, length, type);
        if (size == 0) {
            corrupt = 1; /* whole, and malformed */
            break;
        }
        /* 2. padding: skip it; a message: copy it out, then check nothing overwrote it during the copy */
        if (type != JIPC_TOPIC_PADDING_TYPE) {
            uint32_t n = (uint32_t) (length - JIPC_TOPIC_RECORD_HEADER_LENGTH);
            memcpy(s->copy, t->ring + index + JIPC_TOPIC_RECORD_HEADER_LENGTH, n);
            atomic_thread_fence(memory_order_acquire);
            int64_t intent = atomic_load_explicit(i64(t, JIPC_TOPIC_INTENT_OFFSET), memory_order_acquire);
            if (diff(diff(intent, t->capacity), c) > 0) {
                s->lapped = 1; /* possibly torn: lost, as if overwritten before we came */
                continue;
            }
            /* 3. deliver */
            handler(context, type, s->copy, n);
            if (diff(sequence, s->expected) > 0) {
                s->lost += diff(sequence, s->expected);
            }
            s->expected = sequence + 1;
            s->received++;
            s->lapped_since_delivery = 0;
            messages++;
        }
        c += size;
        walked += size;
    }
    s->tail_cache = tail;
    if (c != start || messages > 0 || walked > 0 || resyncs > 0) {
        publish_progress(s, c);
    }
    if (corrupt) {
        errno = EPROTO;
        return -1;
    }
    return messages;
}

int jipc_topic_subscriber_poll(jipc_topic_subscriber *s, jipc_topic_handler handler, void *context, int limit) {
    if (!holds_slot(s)) {
        return -1;
    }
    return s->topic.overwrite ? poll_overwrite(s, handler, context, limit) : poll_block(s, handler, context, limit);
}

int jipc_topic_subscriber_has_message(const jipc_topic_subscriber *s) {
    return diff(atomic_load_explicit(i64(&s->topic, JIPC_TOPIC_TAIL_OFFSET), memory_order_acquire), s->cursor) > 0;
}

int jipc_topic_subscriber_wait(jipc_topic_subscriber *s, int64_t timeout_ns) {
    if (!holds_slot(s)) {
        return -1;
    }
    const jipc_topic *t = &s->topic;
    _Atomic uint32_t *wake = u32(t, JIPC_TOPIC_SUBSCRIBER_WAKE_OFFSET);
    _Atomic uint64_t *sleeping = u64(t, JIPC_TOPIC_SLEEPING_OFFSET);
    uint64_t bit = 1ULL << s->slot;
    int64_t deadline = deadline_of(timeout_ns);
    for (;;) {
        if (jipc_topic_subscriber_has_message(s)) {
            return 1;
        }
        int64_t slice = next_slice(deadline);
        if (slice == 0) {
            return 0;
        }
        struct timespec ts = timespec_of(slice);
        /* the wake word before the bit: a publish after our re-check increments it, and FUTEX_WAIT returns */
        uint32_t seen = atomic_load(wake);
        atomic_fetch_or(sleeping, bit); /* a read-modify-write: a full fence before the re-check */
        if (jipc_topic_subscriber_has_message(s)) {
            atomic_fetch_and(sleeping, ~bit);
            return 1;
        }
        futex(wake, FUTEX_WAIT, seen, &ts);
        atomic_fetch_and(sleeping, ~bit);
    }
}
