/*
 * jipc_channel: the C twin of jipc's shared-memory message channels (jipc.channel.OneToOneChannel and
 * jipc.channel.ManyToOneChannel).
 *
 * The byte layout, the record format and the wake protocol are specified in docs/channel-format.md; the numbers
 * below are the same as in jipc.channel.ChannelDescriptor and RecordDescriptor. A C program maps the segment (for
 * example shm_open + mmap of a channel that Java created) and attaches to it; it can then be the producer
 * (jipc_channel_offer, jipc_channel_wait_room) or the consumer (jipc_channel_poll, jipc_channel_wait_message,
 * jipc_channel_register_consumer). A one-producer channel has one producer and one consumer at a time; a
 * many-producer channel (flags bit 0) any number of producers, each with its own jipc_channel (it takes a producer
 * slot on its first offer; jipc_channel_detach_producer gives it back), and one consumer, which turns the claims of
 * dead producers into padding. A jipc_channel is not thread-safe: one per thread.
 *
 * Requires Linux (futex) and C11 atomics; build with gcc -std=gnu11 (or c11 with _GNU_SOURCE).
 */
#ifndef JIPC_CHANNEL_H
#define JIPC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "JIPCCHN1" as a little-endian 64-bit word. */
#define JIPC_CHANNEL_MAGIC 0x314E48434350494AULL
#define JIPC_CHANNEL_LAYOUT_VERSION 2
#define JIPC_CHANNEL_HEADER_LENGTH 4096
#define JIPC_CHANNEL_MIN_CAPACITY 1024

/* Header offsets (bytes from the start of the segment). */
#define JIPC_CHANNEL_MAGIC_OFFSET 0
#define JIPC_CHANNEL_VERSION_OFFSET 8
#define JIPC_CHANNEL_FLAGS_OFFSET 12
#define JIPC_CHANNEL_CAPACITY_OFFSET 16
#define JIPC_CHANNEL_MAX_MESSAGE_LENGTH_OFFSET 24
#define JIPC_CHANNEL_HEADER_LENGTH_OFFSET 28
/* The creator's process identity (as a producer slot's); 0 = not recorded. Only `jipc clean` reads it. */
#define JIPC_CHANNEL_CREATOR_IDENTITY_OFFSET 32
#define JIPC_CHANNEL_TAIL_OFFSET 128
#define JIPC_CHANNEL_HEAD_OFFSET 256
#define JIPC_CHANNEL_CONSUMER_WAKE_OFFSET 384
#define JIPC_CHANNEL_CONSUMER_WAITING_OFFSET 388
#define JIPC_CHANNEL_PRODUCER_WAKE_OFFSET 512
#define JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET 516
#define JIPC_CHANNEL_CONSUMER_PID_OFFSET 640
#define JIPC_CHANNEL_CONSUMER_START_TIME_OFFSET 648
#define JIPC_CHANNEL_PENDING_HEAD_OFFSET 656
/* flags bit 0: a many-producer channel (jipc.channel.ManyToOneChannel). */
#define JIPC_CHANNEL_FLAG_MANY_PRODUCERS 1
/* Producer slots of a many-producer channel: 52 slots of 64 bytes from offset 768 (identity int64, claim int64). */
#define JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET 768
#define JIPC_CHANNEL_PRODUCER_SLOT_LENGTH 64
#define JIPC_CHANNEL_SLOT_IDENTITY_OFFSET 0
#define JIPC_CHANNEL_SLOT_CLAIM_OFFSET 8
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
    int producer_ready;             /* producer: tail recovered (one producer) */
    int many;                       /* a many-producer channel */
    int slot;                       /* many producers: this producer's slot, -1 before the first offer */
    uint64_t identity;              /* many producers: pid | (start time & 0xFFFFFFFF) << 32 of this process */
    int64_t next_stall_check;       /* many producers, consumer: when a stalled head is looked at again (ns) */
} jipc_channel;

/* Called once per message by jipc_channel_poll; payload is valid only during the call. */
typedef void (*jipc_channel_handler)(void *context, int32_t type, const void *payload, uint32_t length);

/* Checks the header of the channel at base (size bytes mapped) and fills ch. Writes nothing to the segment.
 * Returns JIPC_CHANNEL_OK or one of enum jipc_channel_error. */
int jipc_channel_attach(jipc_channel *ch, void *base, size_t size);

/* A one-line description of an attach error. */
const char *jipc_channel_strerror(int error);

/* Producer: copies one message into the ring and wakes the consumer if (and only if) it sleeps.
 * Returns 1 when sent, 0 when the ring has no room now, -1 with errno EINVAL for type < 1 or a length above the
 * maximum, EPROTO if a corrupt record was found while recovering the tail, EBUSY (many producers) if every producer
 * slot is held by a live process. */
int jipc_channel_offer(jipc_channel *ch, int32_t type, const void *payload, uint32_t length);

/* Many producers: frees this producer's slot (idempotent). Call it before unmapping; a producer that dies without it
 * is recognised as dead by its identity and its slot is taken over. */
void jipc_channel_detach_producer(jipc_channel *ch);

/* Consumer: hands at most limit messages to handler, in order, then gives their room back (the new head into the
 * pending head, their records zeroed if many producers, the new head published) and wakes a producer sleeping on a
 * full ring if one does. On a many-producer channel, a claim whose producer is certainly dead (gone, pid reused,
 * zombie) becomes padding; a live producer's open claim is waited for.
 * Returns the number of messages handled (padding is not counted), or -1 with errno EPROTO when a record's length or
 * type (neither >= 1 nor -1) is impossible (the records before it are consumed). */
int jipc_channel_poll(jipc_channel *ch, jipc_channel_handler handler, void *context, int limit);

/* Whether a record is published at the head (two loads). */
int jipc_channel_has_message(const jipc_channel *ch);

/* Consumer: sleeps (FUTEX_WAIT, in slices of at most 100 ms) until a record is published or timeout_ns passed
 * (timeout_ns < 0: no limit). Returns 1 when a record is there, 0 on timeout. Uses no CPU while it sleeps. */
int jipc_channel_wait_message(jipc_channel *ch, int64_t timeout_ns);

/* Producer: sleeps until a message of length bytes fits or timeout_ns passed (< 0: no limit). 1 = fits, 0 = timeout. */
int jipc_channel_wait_room(jipc_channel *ch, uint32_t length, int64_t timeout_ns);

/* Consumer: records this process (pid and start time from /proc/self/stat) as the consumer, then finishes what a
 * consumer killed while giving room back left undone (zeroes [head, pending head) if many producers, and publishes
 * the pending head).
 * 0, or -1 with errno: EBUSY if another live process is the registered consumer, EPROTO if the pending head is
 * impossible (corrupt segment), or what reading /proc/self/stat failed with. */
int jipc_channel_register_consumer(jipc_channel *ch);

/* Whether the registered consumer process still runs (1), or none is registered / it is gone, reused or a
 * zombie (0). Never a timer: a slow consumer is alive. */
int jipc_channel_consumer_alive(const jipc_channel *ch);

#ifdef __cplusplus
}
#endif

#endif
