/*
 * jipc_topic: the C twin of jipc's shared-memory topic (jipc.topic): one publisher, up to 64 subscribers, one ring;
 * every subscriber reads every message, in order.
 *
 * The byte layout, the records, the publisher's and subscribers' steps and the wake protocol are specified in
 * docs/topic-format.md (layout version 1); party ids, token files and verdicts in docs/liveness-format.md. The
 * numbers below are those of jipc.topic.TopicDescriptor and TopicRecordDescriptor. A C program maps the segment
 * (shm_open + mmap of a topic Java created, or one it made with jipc_topic_create), attaches to it, and opens a
 * publisher (an exclusive role) or a subscriber (one of 64 slots) on it.
 *
 * Overflow policy, chosen by the creator: BLOCK (the publisher never overwrites what a live subscriber has not read;
 * offer returns 0 and put waits; a subscriber whose process died is dropped by its liveness token, never by a timer)
 * or OVERWRITE (the publisher never waits; a subscriber a whole ring behind is lapped, counts what it lost and goes
 * on at the oldest message still whole, or at the newest if it was lapped again before it delivered anything; it
 * copies each payload out and checks it was not overwritten meanwhile).
 *
 * Costs: a publish is one copy into the ring and no system call while no subscriber sleeps (one FUTEX_WAKE when any
 * does); in BLOCK mode the publisher reads the 64 slots' cursors about once per ring's worth of bytes. A BLOCK
 * subscriber hands the payload to its handler in place (no copy); an OVERWRITE subscriber copies it out first.
 * Waits are futex sleeps in slices of at most 100 ms. Liveness verdicts (three system calls) are made only where a
 * role, a slot or room is at stake, never per message.
 *
 * A publisher or subscriber instance is not thread-safe: one per thread. Each holds a party of this process's
 * liveness token (jipc_live.h); a child forked without exec holds none of its parent's (its calls fail with EPERM).
 *
 * Requires Linux (futex, open file description locks) and C11 atomics:
 *   gcc -std=gnu11 -O2 app.c jipc_topic.c jipc_live.c
 */
#ifndef JIPC_TOPIC_H
#define JIPC_TOPIC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jipc_live.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "JIPCTOP1" as a little-endian 64-bit word. */
#define JIPC_TOPIC_MAGIC 0x31504F544350494AULL
#define JIPC_TOPIC_LAYOUT_VERSION 1
#define JIPC_TOPIC_HEADER_LENGTH 12288
#define JIPC_TOPIC_MIN_CAPACITY 1024

/* Header offsets (bytes from the start of the segment); docs/topic-format.md draws the table. */
#define JIPC_TOPIC_MAGIC_OFFSET 0
#define JIPC_TOPIC_VERSION_OFFSET 8
#define JIPC_TOPIC_FLAGS_OFFSET 12
#define JIPC_TOPIC_CAPACITY_OFFSET 16
#define JIPC_TOPIC_MAX_MESSAGE_LENGTH_OFFSET 24
#define JIPC_TOPIC_HEADER_LENGTH_OFFSET 28
#define JIPC_TOPIC_CREATOR_PARTY_OFFSET 32
#define JIPC_TOPIC_CREATOR_PID_OFFSET 40             /* display only, as every *_PID and *_PID_NAMESPACE field */
#define JIPC_TOPIC_CREATOR_PID_NAMESPACE_OFFSET 48
#define JIPC_TOPIC_SLOT_COUNT_OFFSET 56
#define JIPC_TOPIC_PUBLISHER_PARTY_OFFSET 64         /* the publisher role: its party id, 0 = none */
#define JIPC_TOPIC_PUBLISHER_PID_OFFSET 72
#define JIPC_TOPIC_PUBLISHER_PID_NAMESPACE_OFFSET 80
/* The publisher's block: tail (bytes ever published), intent (end of what it writes now or last wrote), oldest
 * (position of the oldest record still whole). */
#define JIPC_TOPIC_TAIL_OFFSET 128
#define JIPC_TOPIC_INTENT_OFFSET 136
#define JIPC_TOPIC_OLDEST_OFFSET 144
/* BLOCK: the publisher overwrites nothing at or above the floor. */
#define JIPC_TOPIC_FLOOR_OFFSET 256
/* Subscribers sleep on subscriberWake; bit i of sleeping: slot i's subscriber is about to sleep or sleeps. */
#define JIPC_TOPIC_SUBSCRIBER_WAKE_OFFSET 384
#define JIPC_TOPIC_SLEEPING_OFFSET 392
/* BLOCK: the publisher sleeps on publisherWake while publisherWaiting is 1. */
#define JIPC_TOPIC_PUBLISHER_WAKE_OFFSET 512
#define JIPC_TOPIC_PUBLISHER_WAITING_OFFSET 516
/* flags bit 0: OVERWRITE (clear: BLOCK). */
#define JIPC_TOPIC_FLAG_OVERWRITE 1

/* Subscriber slots: 64 of 128 bytes from offset 4096; each subscriber writes its own, everybody reads them. */
#define JIPC_TOPIC_SLOTS_OFFSET 4096
#define JIPC_TOPIC_SLOT_LENGTH 128
#define JIPC_TOPIC_SLOT_COUNT 64
#define JIPC_TOPIC_SLOT_PARTY_OFFSET 0               /* the subscriber's party id, 0 = free */
#define JIPC_TOPIC_SLOT_CURSOR_OFFSET 8              /* next position it reads; -1 while it chooses where to start */
#define JIPC_TOPIC_SLOT_PID_OFFSET 16
#define JIPC_TOPIC_SLOT_PID_NAMESPACE_OFFSET 24
#define JIPC_TOPIC_SLOT_RECEIVED_OFFSET 32           /* messages it delivered */
#define JIPC_TOPIC_SLOT_LOST_OFFSET 40               /* messages it lost (OVERWRITE) */

/* Records: int32 length (16 + payload bytes), int32 type (>= 1 a message, -1 padding), int64 sequence, payload;
 * 16-byte aligned. A padding record and the look-ahead header at the tail carry the next message's sequence. */
#define JIPC_TOPIC_RECORD_LENGTH_OFFSET 0
#define JIPC_TOPIC_RECORD_TYPE_OFFSET 4
#define JIPC_TOPIC_RECORD_SEQUENCE_OFFSET 8
#define JIPC_TOPIC_RECORD_HEADER_LENGTH 16
#define JIPC_TOPIC_RECORD_ALIGNMENT 16
#define JIPC_TOPIC_PADDING_TYPE (-1)

/* The bytes a topic of this capacity takes: header, then ring. */
#define JIPC_TOPIC_SIZE(capacity) ((size_t) JIPC_TOPIC_HEADER_LENGTH + (size_t) (capacity))

/* Errors of jipc_topic_attach and jipc_topic_create, in the order attach checks them (docs/topic-format.md). */
enum jipc_topic_error {
    JIPC_TOPIC_OK = 0,
    JIPC_TOPIC_EALIGN = 1,          /* base address not 8-byte aligned */
    JIPC_TOPIC_ETOOSMALL = 2,       /* segment smaller than the header, or than header + capacity */
    JIPC_TOPIC_EMAGIC = 3,          /* no topic there (or not created yet) */
    JIPC_TOPIC_EVERSION = 4,        /* another layout version */
    JIPC_TOPIC_EHEADER = 5,         /* header length field is not 12288 */
    JIPC_TOPIC_ECAPACITY = 6,       /* capacity not a power of two >= 1024 */
    JIPC_TOPIC_EMAXMSG = 7,         /* max message length not in [1, capacity / 8 - 16] */
    JIPC_TOPIC_EFLAGS = 8,          /* flags other than bit 0 (a later format) */
    JIPC_TOPIC_ESLOTS = 9,          /* slot count is not 64 */
    JIPC_TOPIC_EEXIST = 10          /* jipc_topic_create: the segment is not zero (a topic may be there) */
};

/* What attach read from the header, once (later changes to these fields have no effect on it). */
typedef struct jipc_topic {
    unsigned char *base;            /* the mapped segment: header, then ring */
    unsigned char *ring;            /* base + JIPC_TOPIC_HEADER_LENGTH */
    int64_t capacity;
    uint64_t mask;                  /* (capacity - 1) & ~15: a forged position still lands on a record boundary */
    uint32_t max_message_length;
    int overwrite;                  /* flags bit 0 */
} jipc_topic;

typedef struct jipc_topic_publisher {
    jipc_topic topic;
    uint64_t party;                 /* the party it holds the publisher role with; 0 once closed */
    unsigned generation;            /* the fork generation it took the role in */
    int64_t tail;                   /* its own copy of the tail */
    int64_t next;                   /* the sequence of the next message */
    int64_t oldest;
    int64_t intent;
    int64_t floor_cache;            /* BLOCK: at most every registered cursor (when floor_known) */
    int floor_known;                /* BLOCK: floor_cache computed since the role was taken */
    int64_t floor;                  /* BLOCK: the floor it published last (it never lowers it) */
    int64_t next_drop_check;        /* BLOCK: when laggards are judged again (ns, CLOCK_MONOTONIC) */
    int claimed;                    /* a claim is open: the fields below describe it */
    int32_t claim_type;
    uint32_t claim_length;
    int64_t claim_start;            /* where its record goes (after padding) */
} jipc_topic_publisher;

typedef struct jipc_topic_subscriber {
    jipc_topic topic;
    uint64_t party;                 /* the party it holds its slot with; 0 once closed */
    unsigned generation;
    int slot;                       /* 0 .. 63 */
    int64_t cursor;                 /* position of the next record it reads */
    int64_t tail_cache;             /* the last tail it loaded */
    int64_t expected;               /* the sequence of the next message it expects */
    int64_t received;               /* messages delivered (as published in its slot after each poll) */
    int64_t lost;                   /* messages lost: overwritten before it read them (OVERWRITE) */
    int lapped;                     /* OVERWRITE: it must resynchronise at oldest before reading on */
    int lapped_since_delivery;      /* OVERWRITE: lapped since it last delivered (a second lap: to the newest) */
    unsigned char *copy;            /* OVERWRITE: max_message_length bytes for the copy-out */
} jipc_topic_subscriber;

/* Called once per message by jipc_topic_subscriber_poll. BLOCK: payload points into the ring, valid only during the
 * call; OVERWRITE: it points to the subscriber's private copy, valid until the next poll. */
typedef void (*jipc_topic_handler)(void *context, int32_t type, const void *payload, uint32_t length);

/* Checks the header of the topic at base (size bytes mapped) in the spec's order and fills t. Writes nothing and
 * takes no role. Returns JIPC_TOPIC_OK or one of enum jipc_topic_error. */
int jipc_topic_attach(jipc_topic *t, void *base, size_t size);

/* Makes a topic in zeroed memory (a new shared memory object is zero): the header fields with plain stores, the
 * creator party (this process, making its liveness token) and display fields, the magic last (release). flags: 0
 * (BLOCK) or JIPC_TOPIC_FLAG_OVERWRITE. Returns JIPC_TOPIC_OK or an error as attach would report the values
 * (JIPC_TOPIC_EEXIST if the magic word is not 0). Java's SharedTopic.create does the same. */
int jipc_topic_create(void *base, size_t size, int64_t capacity, uint32_t max_message_length, uint32_t flags);

/* A one-line description of an attach or create error. */
const char *jipc_topic_strerror(int error);

/* ---- publisher ---- */

/* Takes the publisher role (offset 64) with a fresh party of this process: one compare-and-set from 0 or from a
 * holder that is certainly dead (its liveness token), then the display fields, then the local state from the header
 * (tail, intent, oldest repaired if torn; next = the look-ahead sequence at the tail). 0, or -1 with errno: EBUSY if
 * a party that is alive or cannot be judged holds the role, or what making the liveness token failed with. */
int jipc_topic_publisher_open(jipc_topic_publisher *p, const jipc_topic *t);

/* Aborts an open claim and gives the role back (idempotent). A publisher that dies without it is taken over. */
void jipc_topic_publisher_close(jipc_topic_publisher *p);

/* Publishes one message (a copy of length bytes, type >= 1). 1: published; 0: BLOCK and no room now (a live
 * subscriber is a whole ring behind); -1 with errno EINVAL (type < 1, length > max), EALREADY (a claim is open), or
 * EPERM (not the role's holder: closed, or in a forked child). OVERWRITE never returns 0. */
int jipc_topic_publisher_offer(jipc_topic_publisher *p, int32_t type, const void *payload, uint32_t length);

/* As offer, but waits for room (jipc_topic_publisher_wait_room) up to timeout_ns (< 0: no limit). 1: published,
 * 0: no room within the timeout, -1 with errno as offer. */
int jipc_topic_publisher_put(jipc_topic_publisher *p, int32_t type, const void *payload, uint32_t length,
                             int64_t timeout_ns);

/* Zero-copy: reserves room for one message of length bytes and returns where to write its payload, to be published
 * by jipc_topic_publisher_commit or given up by jipc_topic_publisher_abort. NULL with errno: EAGAIN (BLOCK, no room
 * now) or as offer. */
void *jipc_topic_publisher_claim(jipc_topic_publisher *p, int32_t type, uint32_t length);

/* Publishes the open claim (and wakes sleeping subscribers). 0, or -1 with errno EINVAL if no claim is open. */
int jipc_topic_publisher_commit(jipc_topic_publisher *p);

/* Gives the open claim up: nothing is published (the room it reserved counts as overwritten for OVERWRITE readers). */
void jipc_topic_publisher_abort(jipc_topic_publisher *p);

/* BLOCK: sleeps (FUTEX_WAIT on publisherWake, slices of at most 100 ms) until a message of length bytes fits or
 * timeout_ns passed (< 0: no limit); before every sleep it judges the subscribers it waits for and drops the dead.
 * 1: fits, 0: timeout, -1 with errno EPERM or EINVAL. OVERWRITE: 1 at once. */
int jipc_topic_publisher_wait_room(jipc_topic_publisher *p, uint32_t length, int64_t timeout_ns);

/* ---- subscriber ---- */

/* Takes a subscriber slot (a free one, else one whose holder is certainly dead) and joins: history 0 at the tail
 * (it receives what is published from now on), history k > 0 at the k-th last message still in the ring (fewer if
 * the ring holds fewer). BLOCK: joins with the floor handshake, so the publisher never overwrites what it has not
 * read. 0, or -1 with errno: EBUSY (every slot held by a party that is alive or cannot be judged), EINVAL
 * (history < 0), ENOMEM, EPROTO (a corrupt header or record), or what making the liveness token failed with. */
int jipc_topic_subscriber_open(jipc_topic_subscriber *s, const jipc_topic *t, int64_t history);

/* Gives the slot back (idempotent): sleeping bit cleared, cursor -1, party 0; wakes a BLOCK publisher waiting on it. */
void jipc_topic_subscriber_close(jipc_topic_subscriber *s);

/* Hands at most limit messages to handler, in order, then publishes received, lost and the cursor in its slot
 * (BLOCK: and wakes the publisher if it waits for room). A lapped OVERWRITE subscriber adds what it lost to lost and
 * goes on at the oldest message (at the newest if lapped again before it delivered one). Returns the number of
 * messages handled, or -1 with errno EPROTO (a corrupt record: what came before it is delivered and given back) or
 * EPERM (closed, or in a forked child). */
int jipc_topic_subscriber_poll(jipc_topic_subscriber *s, jipc_topic_handler handler, void *context, int limit);

/* Whether something is published beyond its cursor (one load). */
int jipc_topic_subscriber_has_message(const jipc_topic_subscriber *s);

/* Sleeps (FUTEX_WAIT on subscriberWake with its sleeping bit set, slices of at most 100 ms) until something is
 * published beyond its cursor or timeout_ns passed (< 0: no limit). 1: something is there, 0: timeout, -1 with
 * errno EPERM (closed, or in a forked child). */
int jipc_topic_subscriber_wait(jipc_topic_subscriber *s, int64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif
