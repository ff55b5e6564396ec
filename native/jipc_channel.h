/*
 * jipc_channel: the C twin of jipc's shared-memory message channels (jipc.channel.OneToOneChannel and
 * jipc.channel.ManyToOneChannel). Its ends are liveness-token roles of jipc_live.h (jipc.live): build jipc_channel.c
 * together with jipc_live.c.
 *
 * The byte layout, the record format, the wake protocol and the exclusive ends are specified in
 * docs/channel-format.md (layout version 3); party ids, token files and verdicts in docs/liveness-format.md. The
 * numbers below are the same as in jipc.channel.ChannelDescriptor, RecordDescriptor and jipc.live.LivenessDescriptor.
 * A C program maps the segment (for example shm_open + mmap of a channel that Java created) and attaches to it; it
 * can then be the producer (jipc_channel_attach_producer or the first jipc_channel_offer, jipc_channel_wait_room) or
 * the consumer (jipc_channel_register_consumer or the first jipc_channel_poll, jipc_channel_wait_message).
 *
 * Ends are exclusive roles: the consumer, the producer of a one-producer channel, and (many-producer channel, flags
 * bit 0) one of 52 producer slots. Each is a 64-bit word in the header holding its holder's party id, taken with one
 * compare-and-set from 0 or from a holder that is certainly dead, so of two takers exactly one wins; a holder that is
 * alive, or that cannot be judged, makes the taker fail with EBUSY. Each jipc_channel that takes a role gets a party
 * number of its own (a second instance in the same process is refused too). Dead means: its process's liveness token
 * (a file in /dev/shm whose byte 0 the process holds write-locked with an open file description lock) is gone or not
 * locked. The kernel drops that lock when the process dies; no verdict reads /proc, a pid or a clock.
 *
 * The process's token is made on the first role taken (default mode 0600; jipc_live_set_access chooses another
 * before that) and kept open, close-on-exec, for the life of the process. A child forked without exec forgets it
 * (a pthread_atfork child handler closes the inherited descriptor) and holds none of its parent's roles: its
 * jipc_channel instances take roles afresh, with a token of its own. At a normal exit the token file is removed when
 * no role is held any more.
 *
 * A jipc_channel is not thread-safe: one per thread. The liveness calls are thread-safe.
 *
 * Requires Linux (futex, open file description locks) and C11 atomics; build with gcc -std=gnu11 (or c11 with
 * _GNU_SOURCE; add -pthread on glibc older than 2.34): gcc -std=gnu11 -O2 app.c jipc_channel.c jipc_live.c
 */
#ifndef JIPC_CHANNEL_H
#define JIPC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jipc_live.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "JIPCCHN1" as a little-endian 64-bit word. */
#define JIPC_CHANNEL_MAGIC 0x314E48434350494AULL
#define JIPC_CHANNEL_LAYOUT_VERSION 3
#define JIPC_CHANNEL_HEADER_LENGTH 4096
#define JIPC_CHANNEL_MIN_CAPACITY 1024

/* Header offsets (bytes from the start of the segment); docs/channel-format.md draws the table. */
#define JIPC_CHANNEL_MAGIC_OFFSET 0
#define JIPC_CHANNEL_VERSION_OFFSET 8
#define JIPC_CHANNEL_FLAGS_OFFSET 12
#define JIPC_CHANNEL_CAPACITY_OFFSET 16
#define JIPC_CHANNEL_MAX_MESSAGE_LENGTH_OFFSET 24
#define JIPC_CHANNEL_HEADER_LENGTH_OFFSET 28
/* The creator's process party id (party number 1); 0 = not recorded. Only tools read it; attach ignores it. */
#define JIPC_CHANNEL_CREATOR_PARTY_OFFSET 32
#define JIPC_CHANNEL_CREATOR_PID_OFFSET 40            /* display only, as every *_PID and *_PID_NAMESPACE field */
#define JIPC_CHANNEL_CREATOR_PID_NAMESPACE_OFFSET 48
/* The producer role of a one-producer channel: the holder's party id, 0 = none. */
#define JIPC_CHANNEL_PRODUCER_PARTY_OFFSET 64
#define JIPC_CHANNEL_PRODUCER_PID_OFFSET 72
#define JIPC_CHANNEL_PRODUCER_PID_NAMESPACE_OFFSET 80
#define JIPC_CHANNEL_TAIL_OFFSET 128
#define JIPC_CHANNEL_HEAD_OFFSET 256
#define JIPC_CHANNEL_CONSUMER_WAKE_OFFSET 384
#define JIPC_CHANNEL_CONSUMER_WAITING_OFFSET 388
#define JIPC_CHANNEL_PRODUCER_WAKE_OFFSET 512
/* A 64-bit set: bit i = producer slot i sleeps on a full ring, bit 63 = the producer of a one-producer channel. */
#define JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET 520
#define JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT (1ULL << 63)
/* The consumer role: the holder's party id, 0 = none. */
#define JIPC_CHANNEL_CONSUMER_PARTY_OFFSET 640
#define JIPC_CHANNEL_CONSUMER_PID_OFFSET 648
#define JIPC_CHANNEL_PENDING_HEAD_OFFSET 656
#define JIPC_CHANNEL_CONSUMER_PID_NAMESPACE_OFFSET 664
/* flags bit 0: a many-producer channel (jipc.channel.ManyToOneChannel). */
#define JIPC_CHANNEL_FLAG_MANY_PRODUCERS 1
/* Producer slots of a many-producer channel: 52 slots of 64 bytes from offset 768. */
#define JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET 768
#define JIPC_CHANNEL_PRODUCER_SLOT_LENGTH 64
#define JIPC_CHANNEL_SLOT_PARTY_OFFSET 0              /* the holder's party id, 0 = free */
#define JIPC_CHANNEL_SLOT_CLAIM_OFFSET 8              /* the tail read before the claim's CAS, -1 = not claiming */
#define JIPC_CHANNEL_SLOT_PID_OFFSET 16
#define JIPC_CHANNEL_SLOT_PID_NAMESPACE_OFFSET 24
#define JIPC_CHANNEL_MAX_PRODUCER_SLOTS \
    ((JIPC_CHANNEL_HEADER_LENGTH - JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET) / JIPC_CHANNEL_PRODUCER_SLOT_LENGTH)

/* Record layout: int32 length (header + payload, 0 = nothing yet), int32 type, payload; records 8-byte aligned. */
#define JIPC_RECORD_LENGTH_OFFSET 0
#define JIPC_RECORD_TYPE_OFFSET 4
#define JIPC_RECORD_HEADER_LENGTH 8
#define JIPC_RECORD_ALIGNMENT 8
#define JIPC_RECORD_PADDING_TYPE (-1)

/* Errors returned by jipc_channel_attach (and -1 results of the other calls set errno as documented). */
enum jipc_channel_error {
    JIPC_CHANNEL_OK = 0,
    JIPC_CHANNEL_ETOOSMALL = 1,     /* segment smaller than the header, or than header + capacity */
    JIPC_CHANNEL_EMAGIC = 2,        /* no channel there (or not created yet) */
    JIPC_CHANNEL_EVERSION = 3,      /* another layout version */
    JIPC_CHANNEL_EHEADER = 4,       /* header length field is not 4096 */
    JIPC_CHANNEL_ECAPACITY = 5,     /* capacity not a power of two >= 1024 */
    JIPC_CHANNEL_EMAXMSG = 6,       /* max message length not in [1, capacity / 8 - 8] */
    JIPC_CHANNEL_EALIGN = 7,        /* base address not 8-byte aligned */
    JIPC_CHANNEL_EFLAGS = 8         /* flags other than 0 and JIPC_CHANNEL_FLAG_MANY_PRODUCERS (a later format) */
};

typedef struct jipc_channel {
    unsigned char *base;            /* the mapped segment: header, then ring */
    unsigned char *ring;            /* base + JIPC_CHANNEL_HEADER_LENGTH */
    uint64_t capacity;
    uint64_t mask;
    uint32_t max_message_length;
    uint64_t head_cache;            /* producer: last head seen */
    int many;                       /* a many-producer channel */
    int slot;                       /* many producers: this producer's slot, -1 while it holds none */
    uint64_t producer_party;        /* the party this instance holds the producer role (or its slot) with, 0 = none */
    uint64_t consumer_party;        /* the party id this instance holds the consumer role with, 0 = none */
    unsigned generation;            /* the fork generation its roles were taken in (a forked child's differs) */
    int64_t next_stall_check;       /* many producers, consumer: when a stalled head is looked at again (ns) */
    int64_t next_waiting_check;     /* consumer: when bits of dead sleepers in producersWaiting are looked for (ns) */
    int claim_open;                 /* producer: a claim is open (a flag, never a sentinel position) */
    int32_t claim_type;             /* producer: the open claim's type, length, tail and places in the ring */
    uint32_t claim_length;
    uint64_t claim_tail;
    uint64_t claim_record;          /* ring index of the claimed record */
    uint64_t claim_required;        /* ring bytes the claim takes: padding before it + the record */
    int stop_poll;                  /* consumer: set by jipc_channel_stop_poll from a handler */
    int batch_open;                 /* producer: a batch is open (jipc_channel_begin_batch) */
    int batch_pending;              /* producer: a message was committed in it since the last wake-up check */
} jipc_channel;

/* Called once per message by jipc_channel_poll; payload is valid only during the call. */
typedef void (*jipc_channel_handler)(void *context, int32_t type, const void *payload, uint32_t length);

/* Checks the header of the channel at base (size bytes mapped) and fills ch. Writes nothing to the segment and takes
 * no role. Returns JIPC_CHANNEL_OK or one of enum jipc_channel_error. */
int jipc_channel_attach(jipc_channel *ch, void *base, size_t size);

/* Writes a new channel into zeroed memory at base (size bytes mapped): version, flags (0, or
 * JIPC_CHANNEL_FLAG_MANY_PRODUCERS), capacity, max message length, header length, the creator's process party and
 * display fields, then the magic (release); then attaches ch to it. Makes this process's liveness token if it has
 * none. JIPC_CHANNEL_OK, or JIPC_CHANNEL_ECAPACITY, JIPC_CHANNEL_EMAXMSG, JIPC_CHANNEL_ETOOSMALL,
 * JIPC_CHANNEL_EALIGN, JIPC_CHANNEL_EFLAGS, or -1 with errno (EEXIST: the magic is already set, attach instead; or
 * what making the token failed with). */
int jipc_channel_create(jipc_channel *ch, void *base, size_t size, uint64_t capacity, uint32_t max_message_length,
                        uint32_t flags);

/* A one-line description of an attach error. */
const char *jipc_channel_strerror(int error);

/* ---- producer ---- */

/* Takes the producer role now rather than on the first offer: one-producer channel: a compare-and-set of the producer
 * party word (offset 64) from 0 or from a dead holder, then the display fields, then (taken over from a dead holder)
 * its bit 63 in producersWaiting cleared, then the tail recovered (records a dead producer published without moving
 * the tail). Many-producer channel: a free producer slot, else one whose holder is dead, with its waiting bit cleared.
 * Idempotent for this instance. 0, or -1 with errno: EBUSY if the role (every slot) is held by a party that is alive
 * or cannot be judged; EPROTO if recovering the tail met a corrupt record (the role is given back); or what making
 * this process's liveness token failed with (open, fchmod, fcntl, link in /dev/shm). */
int jipc_channel_attach_producer(jipc_channel *ch);

/* Producer: copies one message into the ring and wakes the consumer if (and only if) it sleeps; takes the producer
 * role (or a slot) first if this instance holds none (jipc_channel_attach_producer). A claim, a copy and a commit.
 * Returns 1 when sent, 0 when the ring has no room now, -1 with errno EINVAL for type < 1 or a length above the
 * maximum, EALREADY if a claim is open, or an error of jipc_channel_attach_producer (EBUSY, EPROTO, ...). */
int jipc_channel_offer(jipc_channel *ch, int32_t type, const void *payload, uint32_t length);

/* Producer, zero-copy: reserves room for one message of length bytes and returns where its payload goes (length
 * writable bytes in the ring), to be published by jipc_channel_commit or given back by jipc_channel_abort; takes the
 * producer role (or a slot) first if this instance holds none. One claim at a time per instance. Nothing is visible
 * to the consumer before the commit; a producer that dies with a claim open leaves nothing a consumer hands out.
 * NULL with errno 0 when the ring has no room now; NULL with errno EINVAL for type < 1 or a length above the
 * maximum, EALREADY if a claim is open, or an error of jipc_channel_attach_producer (EBUSY, EPROTO, ...). */
void *jipc_channel_claim(jipc_channel *ch, int32_t type, uint32_t length);

/* Publishes the open claim and wakes the consumer if (and only if) it sleeps. 0, or -1 with errno EINVAL if no
 * claim is open. */
int jipc_channel_commit(jipc_channel *ch);

/* Gives the open claim back unpublished (one producer: the room is reused; many producers: the claim becomes padding
 * the consumer skips). 0, or -1 with errno EINVAL if no claim is open. */
int jipc_channel_abort(jipc_channel *ch);

/* Producer: starts a batch. Until jipc_channel_end_batch, each commit publishes its message at once (a consumer that
 * polls or spins reads it) but leaves the check whether the consumer sleeps (a full fence and a load) to the end of
 * the batch: one check for all its messages. A consumer asleep meanwhile wakes at the end of the batch, or at the end
 * of its wait slice (100 ms) if the batch never ends; jipc_channel_wait_room makes the check before it sleeps. The
 * same as Java's RingChannel.beginBatch. Idempotent while a batch is open. */
void jipc_channel_begin_batch(jipc_channel *ch);

/* Producer: ends the batch; if a message was committed since the last check, makes the producer's half of the wake
 * protocol once (a full fence; FUTEX_WAKE only if the consumer sleeps). Nothing without an open batch. */
void jipc_channel_end_batch(jipc_channel *ch);

/* Gives the producer role or this instance's producer slot back (idempotent), aborting an open claim. Call it before
 * unmapping; a producer that dies without it is recognised as dead by its liveness token and its role or slot is
 * taken over. */
void jipc_channel_detach_producer(jipc_channel *ch);

/* Producer: sleeps until a message of length bytes fits or timeout_ns passed (< 0: no limit), with this producer's
 * bit set in producersWaiting while it may sleep; takes the producer role first if needed. 1 = fits, 0 = timeout,
 * -1 with errno as jipc_channel_attach_producer. */
int jipc_channel_wait_room(jipc_channel *ch, uint32_t length, int64_t timeout_ns);

/* ---- consumer ---- */

/* Takes the consumer role now rather than on the first poll: a compare-and-set of the consumer party word (offset
 * 640) from 0 or from a dead holder, then the display fields (and, taken over, consumerWaiting = 0), then finishes
 * what a consumer killed while giving room back left undone (zeroes [head, pending head) if many producers, and
 * publishes the pending head). Idempotent for this instance.
 * 0, or -1 with errno: EBUSY if another party holds the role and is alive or cannot be judged (also another instance
 * of this process), EPROTO if the pending head is impossible (corrupt segment; the role stays taken), or what making
 * this process's liveness token failed with. */
int jipc_channel_register_consumer(jipc_channel *ch);

/* Gives the consumer role back if this instance holds it (idempotent). */
void jipc_channel_unregister_consumer(jipc_channel *ch);

/* Consumer: takes the consumer role if this instance holds none (jipc_channel_register_consumer), then hands at most
 * limit messages to handler, in order, then gives their room back (the new head into the pending head, their records
 * zeroed if many producers, the new head published) and wakes a producer sleeping on a full ring if one does. On a
 * many-producer channel, a claim whose producer is certainly dead (by its liveness token) becomes padding; a live (or
 * undecidable) producer's open claim is waited for.
 * Returns the number of messages handled (padding is not counted), or -1 with errno EPROTO when a record's length or
 * type (neither >= 1 nor -1) is impossible (the records before it are consumed), or an error of
 * jipc_channel_register_consumer (EBUSY, ...). */
int jipc_channel_poll(jipc_channel *ch, jipc_channel_handler handler, void *context, int limit);

/* Called from a handler during jipc_channel_poll: the poll hands out no more messages after this one (which counts as
 * consumed), gives back what it handed out and returns. For a handler that fails (a language binding's exception). */
void jipc_channel_stop_poll(jipc_channel *ch);

/* Whether a record is published at the head (two loads). */
int jipc_channel_has_message(const jipc_channel *ch);

/* Consumer: sleeps (FUTEX_WAIT, in slices of at most 100 ms) until a record is published or timeout_ns passed
 * (timeout_ns < 0: no limit). Returns 1 when a record is there, 0 on timeout. Uses no CPU while it sleeps. */
int jipc_channel_wait_message(jipc_channel *ch, int64_t timeout_ns);

/* Whether a consumer holds the role that may still run (1: alive, or cannot be judged), or none does / it is dead
 * (0). By its liveness token: open, fcntl(F_OFD_GETLK), close of its token file. Never a timer: a slow consumer is
 * alive. A producer waiting for room may use it to stop waiting for a consumer that is gone. */
int jipc_channel_consumer_alive(const jipc_channel *ch);

#ifdef __cplusplus
}
#endif

#endif
