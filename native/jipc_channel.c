/*
 * The C twin of jipc.channel.OneToOneChannel and ManyToOneChannel; see jipc_channel.h and docs/channel-format.md.
 * Its roles are liveness-token roles of jipc_live.c (docs/liveness-format.md).
 *
 * Memory ordering, as in the Java code: a record's payload and type are plain stores, its length a release store,
 * the tail a release store; the consumer reads lengths with acquire loads, zeroes consumed records with plain stores
 * and publishes the head with a release store. The wake protocol uses sequentially consistent fences (Dekker). Role
 * words are taken and given back with sequentially consistent compare-and-sets; the display fields beside them are
 * release stores that no verdict reads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_channel.h"

#include <errno.h>
#include <fcntl.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 100000000LL
/* A consumer looks at a stalled head of a many-producer channel (liveness checks) at most once a millisecond. */
#define STALL_CHECK_NS 1000000LL
/* A consumer whose FUTEX_WAKE woke nobody looks for dead producers' waiting bits at most every 100 ms. */
#define WAITING_CHECK_NS 100000000LL
/* The largest padding record the consumer writes over a dead producer's claim without a header. */
#define MAX_PADDING ((uint64_t) (INT32_MAX & -JIPC_RECORD_ALIGNMENT))

static int holds_producer(const jipc_channel *ch);
static int holds_consumer(const jipc_channel *ch);
static void clear_dead_waiters(jipc_channel *ch, uint64_t waiting);

static _Atomic uint32_t *u32(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint32_t *) (ch->base + offset);
}

static _Atomic uint64_t *u64(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint64_t *) (ch->base + offset);
}

static _Atomic uint32_t *length_word(const jipc_channel *ch, uint64_t index) {
    return (_Atomic uint32_t *) (ch->ring + index + JIPC_RECORD_LENGTH_OFFSET);
}

/* The record header as one little-endian int64: length in the low half, type in the high half. */
static _Atomic uint64_t *header_word(const jipc_channel *ch, uint64_t index) {
    return (_Atomic uint64_t *) (ch->ring + index + JIPC_RECORD_LENGTH_OFFSET);
}

static uint64_t header(int32_t length, int32_t type) {
    return ((uint64_t) (uint32_t) type << 32) | (uint32_t) length;
}

static _Atomic uint64_t *slot_word(const jipc_channel *ch, int slot, size_t field) {
    return u64(ch, JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET + (size_t) JIPC_CHANNEL_PRODUCER_SLOT_LENGTH * slot + field);
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

/* Roles taken in another fork generation belong to the parent: a forked child's instance holds none of them (and
 * must not give them back). */
static void forget_inherited_roles(jipc_channel *ch) {
    unsigned now = jipc_live_fork_generation();
    if (ch->generation != now) {
        ch->producer_party = 0;
        ch->consumer_party = 0;
        ch->slot = -1;
        ch->claim_open = 0;
        ch->generation = now;
    }
}

static int holds_producer(const jipc_channel *ch) {
    return ch->producer_party != 0 && ch->generation == jipc_live_fork_generation();
}

static int holds_consumer(const jipc_channel *ch) {
    return ch->consumer_party != 0 && ch->generation == jipc_live_fork_generation();
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
    if ((flags & ~(uint32_t) JIPC_CHANNEL_FLAG_MANY_PRODUCERS) != 0) {
        /* a later format: flags this twin does not speak */
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
    /* capacity - 1 without the low 3 bits: the same index for the multiples of 8 correct peers write, and a record
     * boundary inside the ring for a position a hostile process forged to an odd value (no access past the end) */
    ch->mask = (capacity - 1) & ~(uint64_t) (JIPC_RECORD_ALIGNMENT - 1);
    ch->max_message_length = max;
    ch->many = (flags & JIPC_CHANNEL_FLAG_MANY_PRODUCERS) != 0;
    ch->slot = -1;
    return JIPC_CHANNEL_OK;
}

int jipc_channel_create(jipc_channel *ch, void *base, size_t size, uint64_t capacity, uint32_t max_message_length,
                        uint32_t flags) {
    unsigned char *b = base;
    if (((uintptr_t) b) % JIPC_RECORD_ALIGNMENT != 0) {
        return JIPC_CHANNEL_EALIGN;
    }
    if ((flags & ~(uint32_t) JIPC_CHANNEL_FLAG_MANY_PRODUCERS) != 0) {
        return JIPC_CHANNEL_EFLAGS;
    }
    if (capacity < JIPC_CHANNEL_MIN_CAPACITY || (capacity & (capacity - 1)) != 0) {
        return JIPC_CHANNEL_ECAPACITY;
    }
    if (size < JIPC_CHANNEL_HEADER_LENGTH || size - JIPC_CHANNEL_HEADER_LENGTH < capacity) {
        return JIPC_CHANNEL_ETOOSMALL;
    }
    if (max_message_length < 1 || max_message_length > max_message_limit(capacity)) {
        return JIPC_CHANNEL_EMAXMSG;
    }
    if (atomic_load_explicit((_Atomic uint64_t *) (b + JIPC_CHANNEL_MAGIC_OFFSET), memory_order_acquire) != 0) {
        errno = EEXIST;
        return -1;
    }
    /* who made it, so that a tool can tell an abandoned channel (every recorded process dead) from one in use */
    uint64_t creator = jipc_live_process_party();
    if (creator == 0) {
        return -1;
    }
    uint32_t version = JIPC_CHANNEL_LAYOUT_VERSION, header = JIPC_CHANNEL_HEADER_LENGTH;
    uint32_t pid = (uint32_t) getpid();
    uint64_t pid_namespace = jipc_live_pid_namespace();
    memcpy(b + JIPC_CHANNEL_VERSION_OFFSET, &version, 4);
    memcpy(b + JIPC_CHANNEL_FLAGS_OFFSET, &flags, 4);
    memcpy(b + JIPC_CHANNEL_CAPACITY_OFFSET, &capacity, 8);
    memcpy(b + JIPC_CHANNEL_MAX_MESSAGE_LENGTH_OFFSET, &max_message_length, 4);
    memcpy(b + JIPC_CHANNEL_HEADER_LENGTH_OFFSET, &header, 4);
    memcpy(b + JIPC_CHANNEL_CREATOR_PARTY_OFFSET, &creator, 8);
    memcpy(b + JIPC_CHANNEL_CREATOR_PID_OFFSET, &pid, 4);
    memcpy(b + JIPC_CHANNEL_CREATOR_PID_NAMESPACE_OFFSET, &pid_namespace, 8);
    /* last, with release: an attacher that sees the magic sees the whole header */
    atomic_store_explicit((_Atomic uint64_t *) (b + JIPC_CHANNEL_MAGIC_OFFSET), JIPC_CHANNEL_MAGIC,
                          memory_order_release);
    return jipc_channel_attach(ch, base, size);
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
    case JIPC_CHANNEL_EFLAGS: return "unsupported flags (a later format)";
    default: return "unknown error";
    }
}

/* ---- producer ------------------------------------------------------------------------------------------------ */

/* Start after the last record any earlier producer published (even one that died before moving the tail). */
static int recover_tail(jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
    if ((int64_t) tail > (int64_t) head && tail - head > ch->capacity) { /* signed, as Java compares positions */
        /* forged positions, as Java's recoverTail reports them: no producer leaves the tail more than a ring ahead,
         * and claims against it would never find room (a producer waiting for ever, not an error) */
        errno = EPROTO;
        return -1;
    }
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
    return 0;
}

static uint64_t required_space(const jipc_channel *ch, uint64_t tail, uint64_t space) {
    uint64_t to_end = ch->capacity - (tail & ch->mask);
    return space > to_end ? to_end + space : space;
}

/* Signed, as in Java: with many producers the tail may be more than a ring ahead of a stale head cache, and a
 * fresh head may be past a stale tail. With one producer 8 more bytes must be free: the length word after the
 * record, which the producer zeroes before publishing it because the consumer does not zero what it consumed. */
static int has_room(jipc_channel *ch, uint64_t tail, uint64_t required) {
    int64_t needed = (int64_t) required + (ch->many ? 0 : JIPC_RECORD_HEADER_LENGTH);
    if (needed > (int64_t) ch->capacity - (int64_t) (tail - ch->head_cache)) {
        ch->head_cache = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
        return needed <= (int64_t) ch->capacity - (int64_t) (tail - ch->head_cache);
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

/* Many producers: a free slot, else one whose holder is dead, taken for party with one compare-and-set of its party
 * word; then claim -1, the display fields and the slot's waiting bit cleared (a dead holder may have died asleep). */
static int take_slot(jipc_channel *ch, uint64_t party) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
            _Atomic uint64_t *word = slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET);
            uint64_t holder = atomic_load_explicit(word, memory_order_acquire);
            /* first pass: free slots only; second: also slots of dead parties */
            int takeable = holder == 0 || (pass == 1 && jipc_live_check(holder) == JIPC_LIVE_DEAD);
            if (takeable && atomic_compare_exchange_strong(word, &holder, party)) {
                /* Until this store a consumer may see the old claim position under our party and wait a moment; it
                 * never takes a claim of ours for a dead one. */
                atomic_store(slot_word(ch, i, JIPC_CHANNEL_SLOT_CLAIM_OFFSET), (uint64_t) -1);
                atomic_store_explicit(u32(ch, JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET
                                              + (size_t) JIPC_CHANNEL_PRODUCER_SLOT_LENGTH * i
                                              + JIPC_CHANNEL_SLOT_PID_OFFSET),
                                      (uint32_t) getpid(), memory_order_release);
                atomic_store_explicit(slot_word(ch, i, JIPC_CHANNEL_SLOT_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                                      memory_order_release);
                atomic_fetch_and(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET), ~(1ULL << i));
                jipc_live_remove_dead_token(holder);
                ch->slot = i;
                return 0;
            }
        }
    }
    errno = EBUSY;
    return -1;
}

int jipc_channel_attach_producer(jipc_channel *ch) {
    forget_inherited_roles(ch);
    if (ch->producer_party != 0) {
        return 0;
    }
    uint64_t party = jipc_live_new_party();
    if (party == 0) {
        return -1;
    }
    int taken;
    if (ch->many) {
        taken = take_slot(ch, party);
    } else {
        uint64_t previous;
        _Atomic uint64_t *word = u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET);
        taken = jipc_live_take_role(word, party, &previous);
        if (taken == 0) {
            atomic_store_explicit(u32(ch, JIPC_CHANNEL_PRODUCER_PID_OFFSET), (uint32_t) getpid(),
                                  memory_order_release);
            atomic_store_explicit(u64(ch, JIPC_CHANNEL_PRODUCER_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                                  memory_order_release);
            if (previous != 0) {
                /* the dead producer may have died asleep on a full ring */
                atomic_fetch_and(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET),
                                 ~JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT);
            }
            /* only now, as the role's holder, may this instance write the tail and the ring */
            if (recover_tail(ch) < 0) {
                int error = errno;
                jipc_live_give_role_back(word, party);
                errno = error;
                taken = -1;
            }
        }
    }
    if (taken < 0) {
        int error = errno;
        jipc_live_release_party(party);
        errno = error;
        return -1;
    }
    jipc_live_role_taken();
    ch->producer_party = party;
    ch->generation = jipc_live_fork_generation();
    return 0;
}

void jipc_channel_detach_producer(jipc_channel *ch) {
    if (!holds_producer(ch)) {
        return;
    }
    if (ch->claim_open) {
        jipc_channel_abort(ch);
    }
    jipc_channel_end_batch(ch); /* a batch's deferred wake-up check, before the role goes */
    uint64_t party = ch->producer_party;
    if (ch->many) {
        atomic_store_explicit(slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_CLAIM_OFFSET), (uint64_t) -1,
                              memory_order_release);
        if (jipc_live_give_role_back(slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_PARTY_OFFSET), party)) {
            jipc_live_role_given_back();
        }
        ch->slot = -1;
    } else if (jipc_live_give_role_back(u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET), party)) {
        jipc_live_role_given_back();
    }
    ch->producer_party = 0;
    jipc_live_release_party(party);
}

/* Many producers: claim by CAS of the tail with the claim position announced first, padding if the message wraps,
 * then the claim's negative header (docs/channel-format.md, "Producer: publish one message"). 1, or 0 if full. */
static int claim_many(jipc_channel *ch, uint64_t space) {
    _Atomic uint64_t *claim = slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_CLAIM_OFFSET);
    _Atomic uint64_t *tail_word = u64(ch, JIPC_CHANNEL_TAIL_OFFSET);
    uint64_t tail;
    uint64_t required;
    for (;;) {
        tail = atomic_load(tail_word);
        required = required_space(ch, tail, space);
        if (!has_room(ch, tail, required)) {
            atomic_store_explicit(claim, (uint64_t) -1, memory_order_release);
            return 0;
        }
        /* before the CAS: a consumer that sees the moved tail sees this position and waits for our header */
        atomic_store(claim, tail);
        if (atomic_compare_exchange_strong(tail_word, &tail, tail + required)) {
            break;
        }
    }
    uint64_t index = tail & ch->mask;
    uint64_t padding = required - space;
    if (padding != 0) {
        atomic_store_explicit(header_word(ch, index), header((int32_t) padding, JIPC_RECORD_PADDING_TYPE),
                              memory_order_release);
    }
    ch->claim_tail = tail;
    ch->claim_required = required;
    ch->claim_record = padding == 0 ? index : 0;
    atomic_store_explicit(header_word(ch, ch->claim_record),
                          header(-(int32_t) (JIPC_RECORD_HEADER_LENGTH + ch->claim_length), ch->slot),
                          memory_order_release);
    return 1;
}

/* Payloads shorter than this are copied with a forward vector copy (copy_payload), and their claim zeroes the length
 * word after the record; longer ones are copied with memcpy (rep movsb here), and commit zeroes that word. */
#define EARLY_ZERO_LENGTH 8192

/* One producer: room for the record plus the free length word after it (see has_room); below EARLY_ZERO_LENGTH that
 * word is zeroed, nothing else is written yet. */
static int claim_one(jipc_channel *ch, uint64_t space) {
    /* only this producer writes the tail */
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_relaxed);
    uint64_t required = required_space(ch, tail, space);
    if (!has_room(ch, tail, required)) {
        return 0;
    }
    ch->claim_tail = tail;
    ch->claim_required = required;
    ch->claim_record = required == space ? (tail & ch->mask) : 0;
    /* Below EARLY_ZERO_LENGTH, zero the length word after this record now, before the payload is written (free space,
     * reserved by has_room); else commit zeroes it. It may hold an old record's length, or bytes a producer that died
     * mid-claim wrote; the consumer, arriving at the record's end, must read 0 there. Ordered before the record by the
     * release store in commit. Zeroed first (Agrona's order), the record's last line, which the consumer's drain read
     * fetches next, is asked for before the copy: with a forward vector copy (copy_payload) a 4 KiB spin round trip
     * took 0.71-0.90 of the time; with rep movsb (memcpy from 8 KiB on) it cost about 5 % at 16 and 64 KiB
     * (docs/benchmarks.md, "The 4 KiB spin round trip"). */
    if (ch->claim_length < EARLY_ZERO_LENGTH) {
        atomic_store_explicit(length_word(ch, (tail + required) & ch->mask), 0, memory_order_relaxed);
    }
    return 1;
}

void *jipc_channel_claim(jipc_channel *ch, int32_t type, uint32_t length) {
    if (type < 1 || length > ch->max_message_length) {
        errno = EINVAL;
        return NULL;
    }
    if (!holds_producer(ch) && jipc_channel_attach_producer(ch) < 0) {
        return NULL;
    }
    if (ch->claim_open) {
        errno = EALREADY;
        return NULL;
    }
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    ch->claim_type = type;
    ch->claim_length = length;
    if (!(ch->many ? claim_many(ch, space) : claim_one(ch, space))) {
        errno = 0;
        return NULL;
    }
    ch->claim_open = 1;
    return ch->ring + ch->claim_record + JIPC_RECORD_HEADER_LENGTH;
}

/* After a commit: the producer's half of the wake protocol now, or at the end of the open batch. */
static void wake_consumer_after_commit(jipc_channel *ch) {
    if (ch->batch_open) {
        ch->batch_pending = 1;
    } else {
        wake_consumer_if_sleeping(ch);
    }
}

/* The wake-up check a batch deferred, if any: before waiting for room, at the batch's end, on detaching. */
static void flush_wake(jipc_channel *ch) {
    if (ch->batch_pending) {
        ch->batch_pending = 0;
        wake_consumer_if_sleeping(ch);
    }
}

void jipc_channel_begin_batch(jipc_channel *ch) {
    ch->batch_open = 1;
}

void jipc_channel_end_batch(jipc_channel *ch) {
    ch->batch_open = 0;
    flush_wake(ch);
}

/* Many producers: the record's final header (type and length in one 64-bit release store, so that a consumer never
 * pairs the claim's slot with the committed length), then "not claiming", then the consumer's wake-up. */
static void publish_many(jipc_channel *ch, int32_t length, int32_t type) {
    atomic_store_explicit(header_word(ch, ch->claim_record), header(length, type), memory_order_release);
    atomic_store_explicit(slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_CLAIM_OFFSET), (uint64_t) -1,
                          memory_order_release);
    ch->claim_open = 0;
    wake_consumer_after_commit(ch);
}

int jipc_channel_commit(jipc_channel *ch) {
    if (!ch->claim_open) {
        errno = EINVAL;
        return -1;
    }
    int32_t total = (int32_t) (JIPC_RECORD_HEADER_LENGTH + ch->claim_length);
    if (ch->many) {
        publish_many(ch, total, ch->claim_type);
        return 0;
    }
    uint64_t tail = ch->claim_tail;
    uint64_t index = tail & ch->mask;
    uint64_t record = ch->claim_record;
    uint64_t padding = ch->claim_required - align8((uint64_t) total);
    uint64_t next = tail + ch->claim_required;
    if (ch->claim_length >= EARLY_ZERO_LENGTH) {
        /* (shorter records: zeroed by claim_one) the length word after this record, free space reserved by the
         * claim: the consumer, arriving at next, must read 0 there. Ordered by the release store below. */
        atomic_store_explicit(length_word(ch, next & ch->mask), 0, memory_order_relaxed);
    }
    memcpy(ch->ring + record + JIPC_RECORD_TYPE_OFFSET, &ch->claim_type, 4);
    atomic_store_explicit(length_word(ch, record), (uint32_t) total, memory_order_release);
    if (padding != 0) {
        /* after the record it covers: a consumer that reads the padding finds the record complete behind it */
        int32_t padding_type = JIPC_RECORD_PADDING_TYPE;
        memcpy(ch->ring + index + JIPC_RECORD_TYPE_OFFSET, &padding_type, 4);
        atomic_store_explicit(length_word(ch, index), (uint32_t) padding, memory_order_release);
    }
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), next, memory_order_release);
    ch->claim_open = 0;
    wake_consumer_after_commit(ch);
    return 0;
}

int jipc_channel_abort(jipc_channel *ch) {
    if (!ch->claim_open) {
        errno = EINVAL;
        return -1;
    }
    if (ch->many) {
        /* later producers may have claimed behind it: the room cannot be given back, it becomes padding */
        publish_many(ch, (int32_t) align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + ch->claim_length),
                     JIPC_RECORD_PADDING_TYPE);
    } else {
        ch->claim_open = 0; /* nothing was published: the next claim starts at the same tail */
    }
    return 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* A forward copy in 32-byte AVX2 stores, the destination brought to a 32-byte boundary first (as the JDK's arraycopy
 * stub copies, which Agrona's and jipc's Java producers use); n >= 64. The first and last 32 bytes are stored
 * unaligned and may overlap the aligned stores (the same bytes written twice). */
__attribute__((target("avx2"))) static void copy_forward_avx2(unsigned char *to, const unsigned char *from, size_t n) {
    __m256i last = _mm256_loadu_si256((const __m256i *) (const void *) (from + n - 32));
    unsigned char *end = to + n - 32;
    size_t head = 32 - ((uintptr_t) to & 31);
    _mm256_storeu_si256((__m256i *) (void *) to, _mm256_loadu_si256((const __m256i *) (const void *) from));
    to += head;
    from += head;
    for (; to < end; to += 32, from += 32) {
        _mm256_store_si256((__m256i *) (void *) to, _mm256_loadu_si256((const __m256i *) (const void *) from));
    }
    _mm256_storeu_si256((__m256i *) (void *) end, last);
}

static int avx2_copy(void) {
    static int known = -1; /* a benign race: every thread computes the same answer */
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return known;
}
#endif

/* Below this many bytes copy_payload copies 8 bytes at a time (Java: RingChannel.SMALL_COPY_LIMIT). */
#define SMALL_COPY_LIMIT 128

/* The producer's copy: 8-byte words below SMALL_COPY_LIMIT, memcpy above, except for payloads of 2 KiB to 8 KiB on a CPU with AVX2, which are copied forward in
 * 32-byte stores. glibc copies those with rep movsb (here from 2 112 bytes on), and rep movsb did not gain from the
 * next length word being zeroed first (claim_one); a forward vector copy did: a 4 KiB spin round trip took 0.71-0.74
 * of the time with both (0.82-0.85 with memcpy in 2 KiB pieces), while from 8 KiB on rep movsb was the faster copy
 * (docs/benchmarks.md, "The 4 KiB spin round trip"). */
static void copy_payload(void *to, const void *payload, uint32_t length) {
    if (length < SMALL_COPY_LIMIT) {
        /* 8 bytes at a time: a sender has usually just written the payload, often with narrower stores; glibc's
         * memcpy loads it 16 or 32 bytes at a time, and such a load cannot be served from those stores in the store
         * buffer: it waits until they reach the cache, behind the previous message's stores to ring lines the
         * consumer holds. 8-byte loads are served from the stores (Java's copySmall, the same rule). */
        unsigned char *t = to;
        const unsigned char *f = payload;
        uint32_t i = 0;
        for (; i + 8 <= length; i += 8) {
            uint64_t word;
            memcpy(&word, f + i, 8);
            __asm__("" : "+r"(word)); /* keeps gcc from turning the loop back into a memcpy call */
            memcpy(t + i, &word, 8);
        }
        for (; i < length; i++) {
            t[i] = f[i];
        }
        return;
    }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (length > 2048 && length < EARLY_ZERO_LENGTH && avx2_copy()) {
        copy_forward_avx2(to, payload, length);
        return;
    }
#endif
    memcpy(to, payload, length);
}

int jipc_channel_offer(jipc_channel *ch, int32_t type, const void *payload, uint32_t length) {
    void *to = jipc_channel_claim(ch, type, length);
    if (to == NULL) {
        return errno == 0 ? 0 : -1;
    }
    copy_payload(to, payload, length);
    return jipc_channel_commit(ch) == 0 ? 1 : -1;
}

int jipc_channel_wait_room(jipc_channel *ch, uint32_t length, int64_t timeout_ns) {
    if (!holds_producer(ch) && jipc_channel_attach_producer(ch) < 0) {
        return -1;
    }
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
    _Atomic uint64_t *waiting = u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET);
    /* this producer's bit in the set: its slot's, or bit 63 for the producer of a one-producer channel */
    uint64_t bit = ch->many ? 1ULL << ch->slot : JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT;
    for (;;) {
        /* acquire: many producers move the tail too */
        uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
        if (has_room(ch, tail, required_space(ch, tail, space))) {
            return 1;
        }
        int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = left < SLICE_NS ? left : SLICE_NS;
        struct timespec ts = { slice / 1000000000LL, slice % 1000000000LL };
        flush_wake(ch); /* a consumer asleep on a batch's messages must be woken before this producer sleeps on it */
        uint32_t seen = atomic_load(wake);
        atomic_fetch_or(waiting, bit); /* an atomic RMW: a full fence before the re-check */
        if (!has_room(ch, tail, required_space(ch, tail, space))) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_fetch_and(waiting, ~bit);
    }
}

/* ---- consumer ------------------------------------------------------------------------------------------------ */

/* The consumer's half of the producers' wake protocol: fence after the head's release store, then wake only if a
 * bit of the producers-waiting set is on. A wake that woke nobody may mean bits of producers that died asleep. */
static void wake_producers_if_sleeping(jipc_channel *ch) {
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t waiting = atomic_load_explicit(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET), memory_order_relaxed);
    if (waiting != 0) {
        _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        if (futex(wake, FUTEX_WAKE, INT_MAX, NULL) == 0) {
            clear_dead_waiters(ch, waiting);
        }
    }
}

/* Clears the bits of waiting whose producer is certainly dead or gone (a slot whose party word is 0), so that a
 * producer killed asleep on a full ring does not cost every later give-back a FUTEX_WAKE; at most every 100 ms, as
 * a verdict costs system calls. A producer that sets its bit just after this clear is woken by its slice's end. */
static void clear_dead_waiters(jipc_channel *ch, uint64_t waiting) {
    int64_t now = now_ns();
    if (now < ch->next_waiting_check) {
        return;
    }
    ch->next_waiting_check = now + WAITING_CHECK_NS;
    _Atomic uint64_t *set = u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET);
    /* only the bits still set now: a live producer that announced and then found room (the usual reason a wake woke
     * nobody) has cleared its bit by now, and judging it would cost a verdict's system calls for nothing */
    waiting &= atomic_load(set);
    if (!ch->many) {
        if ((waiting & JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT) != 0
                && !jipc_live_may_be_alive(atomic_load(u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET)))) {
            atomic_fetch_and(set, ~JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT);
        }
        return;
    }
    for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
        uint64_t bit = 1ULL << i;
        if ((waiting & bit) != 0 && !jipc_live_may_be_alive(atomic_load(slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET)))) {
            atomic_fetch_and(set, ~bit);
        }
    }
}

int jipc_channel_has_message(const jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    /* > 0: a claim of a many-producer channel has a negative length until it is committed */
    return (int32_t) atomic_load_explicit(length_word(ch, head & ch->mask), memory_order_acquire) > 0;
}

/* Slot i's claim position if its owner claims below `below` and may be alive (alive or cannot decide), else -1.
 * Party, claim, party again: a claim position is never paired with another owner. */
static int64_t live_claim(const jipc_channel *ch, int i, uint64_t below) {
    _Atomic uint64_t *party = slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET);
    for (;;) {
        uint64_t owner = atomic_load_explicit(party, memory_order_acquire);
        if (owner == 0) {
            return -1;
        }
        int64_t claim = (int64_t) atomic_load_explicit(slot_word(ch, i, JIPC_CHANNEL_SLOT_CLAIM_OFFSET),
                                                       memory_order_acquire);
        if (atomic_load_explicit(party, memory_order_acquire) != owner) {
            continue;
        }
        return claim >= 0 && (uint64_t) claim < below && jipc_live_may_be_alive(owner) ? claim : -1;
    }
}

/* A claim (negative length) at position: padding once its slot's owner certainly does not own it any more.
 * 1: a published record is there now; 0: wait; -1: corrupt (errno EPROTO). */
static int resolve_claim(jipc_channel *ch, uint64_t position) {
    uint64_t index = position & ch->mask;
    uint64_t h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
    int32_t length = (int32_t) h;
    if (length >= 0) {
        return length > 0;
    }
    int32_t slot = (int32_t) (h >> 32);
    if (slot < 0 || slot >= JIPC_CHANNEL_MAX_PRODUCER_SLOTS) {
        errno = EPROTO;
        return -1;
    }
    int64_t claim = live_claim(ch, slot, position + 1);
    if (claim >= 0 && (uint64_t) claim <= position) {
        return 0;
    }
    /* only if still the claim: a commit stores its header before it clears its claim position */
    atomic_compare_exchange_strong(header_word(ch, index), &h, header(-length, JIPC_RECORD_PADDING_TYPE));
    return (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire) > 0;
}

/* A zero length below the tail: a claim without a header. Padding up to the first non-zero word, the lowest live
 * claim position, or the ring's end, once no live producer may own position. Results as resolve_claim. */
static int resolve_headerless(jipc_channel *ch, uint64_t position) {
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
    if (tail <= position) {
        return 0;
    }
    uint64_t bound = tail;
    for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
        int64_t claim = live_claim(ch, i, tail);
        if (claim >= 0) {
            if ((uint64_t) claim <= position) {
                return 0;
            }
            if ((uint64_t) claim < bound) {
                bound = (uint64_t) claim;
            }
        }
    }
    uint64_t index = position & ch->mask;
    int32_t now = (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire);
    if (now != 0) {
        return now > 0 ? 1 : resolve_claim(ch, position);
    }
    uint64_t limit = bound - position;
    if (limit > ch->capacity - index) {
        limit = ch->capacity - index;
    }
    if (limit > MAX_PADDING) {
        limit = MAX_PADDING;
    }
    uint64_t end = JIPC_RECORD_ALIGNMENT;
    while (end < limit && atomic_load_explicit(length_word(ch, index + end), memory_order_acquire) == 0) {
        end += JIPC_RECORD_ALIGNMENT;
    }
    uint64_t zero = 0;
    atomic_compare_exchange_strong(header_word(ch, index), &zero,
                                   header((int32_t) (end < limit ? end : limit), JIPC_RECORD_PADDING_TYPE));
    return (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire) > 0;
}

/* Many producers: a stalled head (a claim, or zeros below the tail) looked at no more than once a millisecond. */
static int resolve_stall(jipc_channel *ch, uint64_t position, int32_t length) {
    int64_t now = now_ns();
    if (now < ch->next_stall_check) {
        return 0;
    }
    ch->next_stall_check = now + STALL_CHECK_NS;
    return length < 0 ? resolve_claim(ch, position) : resolve_headerless(ch, position);
}

/* Zeroes length <= capacity ring bytes from position on, in two pieces if they wrap. */
static void zero_ring(jipc_channel *ch, uint64_t position, uint64_t length) {
    uint64_t index = position & ch->mask;
    uint64_t first = length < ch->capacity - index ? length : ch->capacity - index;
    memset(ch->ring + index, 0, first);
    if (first < length) {
        memset(ch->ring, 0, length - first);
    }
}

/* Gives [head, new_head) back to the producers: the pending head first, so that the successor of a consumer killed
 * while giving back knows how far to finish; then (many producers) the zeroing (they rely on "length 0 = not
 * written yet"); then the head, with a release store. A process killed leaves its stores in program order (x86-64
 * keeps stores in order); the signal fence stops the compiler from moving the memset before the pending store. */
static void give_back(jipc_channel *ch, uint64_t head, uint64_t new_head) {
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_PENDING_HEAD_OFFSET), new_head, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    if (ch->many) {
        /* only many producers need it: any 8-byte word may become a claimed record's header, whose 0 means "claimed,
         * not written yet"; one producer zeroes just the length word after its own record */
        zero_ring(ch, head, new_head - head);
    }
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), new_head, memory_order_release);
    wake_producers_if_sleeping(ch);
}

int jipc_channel_poll(jipc_channel *ch, jipc_channel_handler handler, void *context, int limit) {
    if (!holds_consumer(ch) && jipc_channel_register_consumer(ch) < 0) {
        return -1;
    }
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_relaxed);
    uint64_t consumed = 0;
    int messages = 0;
    int corrupt = 0;
    ch->stop_poll = 0;
    while (messages < limit && consumed < ch->capacity && !ch->stop_poll) {
        uint64_t index = (head + consumed) & ch->mask;
        /* length and type in one load: the many-producer channel publishes them in one store */
        uint64_t h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
        int32_t length = (int32_t) h;
        if (length <= 0) {
            if (length < 0 && !ch->many) {
                corrupt = 1;
                break;
            }
            int resolved = ch->many && length <= 0 ? resolve_stall(ch, head + consumed, length) : 0;
            if (resolved <= 0) {
                corrupt = resolved < 0;
                break;
            }
            h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
            length = (int32_t) h;
        }
        uint64_t space = align8((uint32_t) length);
        if (length < JIPC_RECORD_HEADER_LENGTH || space > ch->capacity - index) {
            corrupt = 1;
            break;
        }
        int32_t type = (int32_t) (h >> 32);
        if (type < 1 && type != JIPC_RECORD_PADDING_TYPE) {
            corrupt = 1; /* neither a message type nor padding: not handed out, not given back */
            break;
        }
        consumed += space;
        if (type != JIPC_RECORD_PADDING_TYPE) {
            messages++;
            handler(context, type, ch->ring + index + JIPC_RECORD_HEADER_LENGTH, length - JIPC_RECORD_HEADER_LENGTH);
        }
    }
    if (consumed > 0) {
        give_back(ch, head, head + consumed);
    }
    if (corrupt) {
        errno = EPROTO;
        return -1;
    }
    return messages;
}

void jipc_channel_stop_poll(jipc_channel *ch) {
    ch->stop_poll = 1;
}

/* A record at the head, or (many producers) a stalled head that could be turned into padding: a dead producer wakes
 * nobody, so a sleeping consumer looks again when its slice ends. */
static int consumer_ready(jipc_channel *ch) {
    if (jipc_channel_has_message(ch)) {
        return 1;
    }
    if (!ch->many) {
        return 0;
    }
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    int32_t length = (int32_t) atomic_load_explicit(length_word(ch, head & ch->mask), memory_order_acquire);
    return resolve_stall(ch, head, length) > 0;
}

int jipc_channel_wait_message(jipc_channel *ch, int64_t timeout_ns) {
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_CONSUMER_WAKE_OFFSET);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET);
    for (;;) {
        if (consumer_ready(ch)) {
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

/* ---- the consumer role ---------------------------------------------------------------------------------------- */

int jipc_channel_register_consumer(jipc_channel *ch) {
    forget_inherited_roles(ch);
    if (ch->consumer_party != 0) {
        return 0;
    }
    uint64_t party = jipc_live_new_party();
    if (party == 0) {
        return -1;
    }
    uint64_t previous;
    if (jipc_live_take_role(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), party, &previous) < 0) {
        jipc_live_release_party(party);
        errno = EBUSY;
        return -1;
    }
    jipc_live_role_taken();
    ch->consumer_party = party;
    atomic_store_explicit(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), (uint32_t) getpid(), memory_order_release);
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_CONSUMER_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_release);
    if (previous != 0) {
        /* a dead consumer may have left its waiting flag set: one needless wake for the next commit otherwise */
        atomic_store(u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET), 0);
    }
    /* a consumer killed while giving room back: finish its zeroing and publish the head it was about to. Only the
     * role's holder does this, so no two processes zero at once. */
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    uint64_t pending = atomic_load_explicit(u64(ch, JIPC_CHANNEL_PENDING_HEAD_OFFSET), memory_order_acquire);
    if (pending > head) {
        uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
        if (pending - head > ch->capacity || pending > tail) {
            errno = EPROTO;
            return -1;
        }
        give_back(ch, head, pending);
    }
    return 0;
}

void jipc_channel_unregister_consumer(jipc_channel *ch) {
    if (!holds_consumer(ch)) {
        return;
    }
    uint64_t party = ch->consumer_party;
    ch->consumer_party = 0;
    if (jipc_live_give_role_back(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), party)) {
        jipc_live_role_given_back();
    }
    jipc_live_release_party(party);
}

int jipc_channel_consumer_alive(const jipc_channel *ch) {
    return jipc_live_may_be_alive(atomic_load_explicit(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), memory_order_acquire));
}
