/*
 * channel_bench: the C side of jipc's channel benchmarks (jipc.bench.ChannelBench), compiled at run time with
 * jipc_channel.c, the C twin of jipc.channel.OneToOneChannel.
 *
 * The harness creates the shared memfd, places it at fd 3 and, for the channel modes, writes two channel headers
 * into it with OneToOneChannel.create: channel 0 (a to b) at offset 0, channel 1 (b to a) at offset 4096 + CAPACITY.
 * Every message carries its sequence number (int64, native order) in its first 8 bytes; receivers check it.
 *
 *   ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]   ping-pong over the two channels; a writes ROUNDS
 *                                                         round-trip times (int64 ns, CLOCK_MONOTONIC) to OUT
 *   flag a|b WAIT SIZE WARMUP ROUNDS [OUT]                the physical floors: payload copied into a shared buffer,
 *                                                         then a sequence word stored (release) and waited on
 *                                                         (acquire): WAIT spin (re-check with a pause) or futex
 *                                                         (FUTEX_WAIT on the word; the writer always FUTEX_WAKEs);
 *                                                         the reader reads the payload's 8-byte sequence number
 *   send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT     throughput over channel 0: WARMUP messages, then COUNT
 *                                                         measured ones
 *   memcpy SIZE WARMUP COUNT CAPACITY OUT                 one process copying SIZE-byte blocks round the ring
 *                                                         area of the memfd: the bandwidth limit of a ring copy
 *
 * The same runs as members of a jipc.bench.Crew (kept alive, driven block by block by jipc.bench.channel.ChannelPaired):
 *
 *   crew ping a|b STRATEGY SIZE CAPACITY [SAMPLES]        per "run COUNT": SYNC unmeasured round trips, then COUNT
 *                                                         timed ones; a appends their times to SAMPLES (int64 ns)
 *                                                         and reports their median
 *   crew flag a|b spin|futex SIZE [SAMPLES]               the floors, block by block, as crew ping
 *   crew send|recv STRATEGY SIZE CAPACITY                 throughput over channel 0: COUNT messages per block
 *   crew send STRATEGY SIZE CAPACITY BATCH                the sender in batches of BATCH messages
 *                                                         (jipc_channel_begin_batch / end_batch)
 *   crew ring-send|ring-recv SIZE                         the C SPSC ring floor (see ring_send): COUNT messages
 *   crew memcpy SIZE CAPACITY                             one process copying COUNT messages round the ring area
 *
 * A crew member prints "ready" once attached, then per "run COUNT" line on stdin runs one block and prints
 * "done T0 T1 CPU COUNT 0 P50" (CLOCK_MONOTONIC start and end of its block, CLOCK_PROCESS_CPUTIME_ID over it, the
 * messages or round trips, the median round trip of side a or 0); "quit" or the end of stdin ends it. Between
 * blocks it is blocked in read(2) on stdin. Sequence numbers go on from block to block.
 *
 * STRATEGY: spin (re-check with a pause), hybrid (1000 pauses, then the futex wait of jipc_channel.c, as
 * WaitStrategy.hybrid()), futex (the futex wait at once). The throughput modes write one line to OUT:
 * "MESSAGES ELAPSED_NS CPU_NS" (CPU_NS: CLOCK_PROCESS_CPUTIME_ID, user + system time of the whole process, over the
 * measured messages; memcpy: the copying process).
 * exit: 0 done, 2 usage, 1 a system call failed or a message was out of sequence (message on stderr).
 */
#define _GNU_SOURCE
#include "jipc_channel.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "crew.h"

#define SHM_FD 3
#define HYBRID_SPINS 1000

enum strategy { SPIN, HYBRID, FUTEX };

static void usage(void);

static void die(const char *what) {
    fprintf(stderr, "channel_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time (user + system) of the whole process in nanoseconds */
static int64_t cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) {
        die("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    }
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned char *map_shared(size_t *size) {
    struct stat st;
    if (fstat(SHM_FD, &st) < 0) {
        die("fstat(fd 3)");
    }
    unsigned char *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, SHM_FD, 0);
    if (base == MAP_FAILED) {
        die("mmap(fd 3)");
    }
    crew_touch_pages(base, st.st_size);
    *size = st.st_size;
    return base;
}

static void attach(jipc_channel *ch, unsigned char *base, size_t size) {
    int error = jipc_channel_attach(ch, base, size);
    if (error != JIPC_CHANNEL_OK) {
        fprintf(stderr, "channel_bench: attach: %s\n", jipc_channel_strerror(error));
        exit(1);
    }
}

static enum strategy parse_strategy(const char *s) {
    if (strcmp(s, "spin") == 0) {
        return SPIN;
    }
    if (strcmp(s, "hybrid") == 0) {
        return HYBRID;
    }
    if (strcmp(s, "futex") == 0) {
        return FUTEX;
    }
    fprintf(stderr, "channel_bench: unknown strategy %s (spin, hybrid, futex)\n", s);
    exit(2);
}

/* The consumer's state: the next sequence number it expects. */
struct receiver {
    int64_t expected;
};

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct receiver *r = context;
    int64_t seq;
    memcpy(&seq, payload, sizeof seq);
    if (type != 1 || length < sizeof seq || seq != r->expected) {
        fprintf(stderr, "channel_bench: message out of sequence: type %d, length %u, seq %lld, expected %lld\n",
                type, length, (long long) seq, (long long) r->expected);
        exit(1);
    }
    r->expected++;
}

/* Receives at least one message (all that are there), waiting with the strategy. */
static void receive(jipc_channel *ch, enum strategy strategy, struct receiver *r) {
    for (;;) {
        int n = jipc_channel_poll(ch, on_message, r, INT_MAX);
        if (n < 0) {
            die("jipc_channel_poll");
        }
        if (n > 0) {
            return;
        }
        if (strategy == SPIN) {
            while (!jipc_channel_has_message(ch)) {
                __builtin_ia32_pause();
            }
            continue;
        }
        if (strategy == HYBRID) {
            int i;
            for (i = 0; i < HYBRID_SPINS && !jipc_channel_has_message(ch); i++) {
                __builtin_ia32_pause();
            }
            if (i < HYBRID_SPINS) {
                continue;
            }
        }
        jipc_channel_wait_message(ch, -1);
    }
}

/* Sends one message, waiting for room with the strategy. */
static void send(jipc_channel *ch, enum strategy strategy, const void *payload, uint32_t size) {
    int spins = 0;
    for (;;) {
        int sent = jipc_channel_offer(ch, 1, payload, size);
        if (sent < 0) {
            die("jipc_channel_offer");
        }
        if (sent) {
            return;
        }
        if (strategy == SPIN || (strategy == HYBRID && spins++ < HYBRID_SPINS)) {
            __builtin_ia32_pause();
        } else {
            jipc_channel_wait_room(ch, size, -1);
        }
    }
}

static void write_samples(const char *file, const int64_t *samples, long rounds) {
    FILE *out = fopen(file, "wb");
    if (out == NULL || (rounds > 0 && fwrite(samples, sizeof(int64_t), rounds, out) != (size_t) rounds)
            || fclose(out) != 0) {
        die(file);
    }
}

static void write_result(const char *file, long messages, int64_t elapsed, int64_t cpu) {
    FILE *out = fopen(file, "w");
    if (out == NULL || fprintf(out, "%ld %lld %lld\n", messages, (long long) elapsed, (long long) cpu) < 0
            || fclose(out) != 0) {
        die(file);
    }
}

/*
 * Where in its page every payload buffer starts, in this peer and in jipc.bench.ChannelPeer alike
 * (ChannelPeer.PAYLOAD_PAGE_OFFSET). glibc's memcpy into the ring ran up to a quarter slower when the source's page
 * offset lay just below the destination's (4K aliasing of the copy's loads with its earlier stores: 64 KiB records sit
 * at page offsets 8 to 120, and a source at offset 0-64 copied 18-25 % slower, at 3904-4064 4-10 %, from 128 to 3840
 * not at all; one process, 6 Dec 2026), so the peers must not differ in it by the accident of malloc (calloc gave this
 * peer 672, the JVM's malloc anything). Half a page is as far as a page allows from the first records' offsets.
 */
#define PAYLOAD_PAGE_OFFSET 2048

static unsigned char *payload_buffer(long size) {
    size_t bytes = ((size_t) size + PAYLOAD_PAGE_OFFSET + 4095) & ~(size_t) 4095;
    unsigned char *p = aligned_alloc(4096, bytes);
    if (p == NULL) {
        die("aligned_alloc");
    }
    memset(p, 0, bytes);
    return p + PAYLOAD_PAGE_OFFSET;
}

static int ping(int side_a, enum strategy strategy, long size, long warmup, long rounds, long capacity,
                const char *out) {
    size_t map_size;
    unsigned char *base = map_shared(&map_size);
    size_t second = JIPC_CHANNEL_HEADER_LENGTH + capacity;
    jipc_channel ab, ba;
    attach(&ab, base, second);
    attach(&ba, base + second, map_size - second);
    unsigned char *payload = payload_buffer(size);
    struct receiver r = { 0 };
    if (!side_a) {
        for (int64_t i = 0; i < warmup + rounds; i++) {
            receive(&ab, strategy, &r);
            memcpy(payload, &i, sizeof i);
            send(&ba, strategy, payload, size);
        }
        return 0;
    }
    int64_t *samples = malloc(sizeof(int64_t) * (rounds > 0 ? rounds : 1));
    if (samples == NULL) {
        die("malloc");
    }
    for (int64_t i = 0; i < warmup + rounds; i++) {
        int64_t start = now_ns();
        memcpy(payload, &i, sizeof i);
        send(&ab, strategy, payload, size);
        receive(&ba, strategy, &r);
        int64_t end = now_ns();
        if (i >= warmup) {
            samples[i - warmup] = end - start;
        }
    }
    write_samples(out, samples, rounds);
    return 0;
}

/* Waits until the sequence word reads seq: spinning with a pause, or sleeping in FUTEX_WAIT on it. */
static void await_seq(_Atomic int32_t *word, int32_t seq, int futex) {
    int32_t seen;
    while ((seen = atomic_load_explicit(word, memory_order_acquire)) != seq) {
        if (!futex) {
            __builtin_ia32_pause();
        } else if (syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0) < 0 && errno != EAGAIN
                && errno != EINTR) {
            die("futex(FUTEX_WAIT)");
        }
    }
}

/* Publishes seq in the sequence word; with futex also wakes the peer (always: a raw futex ping-pong). */
static void publish_seq(_Atomic int32_t *word, int32_t seq, int futex) {
    atomic_store_explicit(word, seq, memory_order_release);
    if (futex && syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0) < 0) {
        die("futex(FUTEX_WAKE)");
    }
}

/* The floors: copy the payload into the peer's buffer, publish the sequence word; the peer spins or sleeps on it. */
static int flag(int side_a, int futex, long size, long warmup, long rounds, const char *out) {
    size_t map_size;
    unsigned char *base = map_shared(&map_size);
    _Atomic int32_t *to_b = (_Atomic int32_t *) base;
    _Atomic int32_t *to_a = (_Atomic int32_t *) (base + 128);
    unsigned char *buffer_b = base + 4096;
    unsigned char *buffer_a = base + 4096 + ((size + 4095) & ~4095L);
    unsigned char *payload = payload_buffer(size);
    if ((size_t) (buffer_a - base) + size > map_size || warmup + rounds >= INT32_MAX) {
        fprintf(stderr, "channel_bench: memfd too small or too many rounds for flag mode\n");
        return 1;
    }
    if (!side_a) {
        for (int32_t i = 1; i <= warmup + rounds; i++) {
            await_seq(to_b, i, futex);
            memcpy(payload, buffer_b, 8); /* the sequence number only, as the channel peers' handlers read */
            memcpy(buffer_a, payload, size);
            publish_seq(to_a, i, futex);
        }
        return 0;
    }
    int64_t *samples = malloc(sizeof(int64_t) * (rounds > 0 ? rounds : 1));
    if (samples == NULL) {
        die("malloc");
    }
    for (int64_t i = 1; i <= warmup + rounds; i++) {
        int64_t start = now_ns();
        memcpy(payload, &i, sizeof i);
        memcpy(buffer_b, payload, size);
        publish_seq(to_b, (int32_t) i, futex);
        await_seq(to_a, (int32_t) i, futex);
        int64_t seq;
        memcpy(&seq, buffer_a, sizeof seq);
        int64_t end = now_ns();
        if (seq != i) {
            fprintf(stderr, "channel_bench: flag echo %lld, expected %lld\n", (long long) seq, (long long) i);
            return 1;
        }
        if (i > warmup) {
            samples[i - warmup - 1] = end - start;
        }
    }
    write_samples(out, samples, rounds);
    return 0;
}

static int throughput(int sender, enum strategy strategy, long size, long warmup, long count, long capacity,
                      const char *out) {
    size_t map_size;
    unsigned char *base = map_shared(&map_size);
    jipc_channel ch;
    attach(&ch, base, JIPC_CHANNEL_HEADER_LENGTH + capacity);
    int64_t start = 0;
    int64_t cpu = 0;
    if (sender) {
        unsigned char *payload = payload_buffer(size);
        for (int64_t i = 0; i < warmup + count; i++) {
            if (i == warmup) {
                start = now_ns();
                cpu = cpu_ns();
            }
            memcpy(payload, &i, sizeof i);
            send(&ch, strategy, payload, size);
        }
    } else {
        struct receiver r = { 0 };
        if (warmup == 0) {
            start = now_ns();
            cpu = cpu_ns();
        }
        while (r.expected < warmup + count) {
            receive(&ch, strategy, &r);
            if (start == 0 && r.expected >= warmup) {
                start = now_ns();
                cpu = cpu_ns();
            }
        }
        if (r.expected != warmup + count) {
            fprintf(stderr, "channel_bench: received %lld messages, expected %ld\n", (long long) r.expected,
                    warmup + count);
            return 1;
        }
    }
    write_result(out, count, now_ns() - start, cpu_ns() - cpu);
    return 0;
}

/* One process copying SIZE-byte blocks (with the 8-byte record header's spacing) round the ring area. */
static int copy_bandwidth(long size, long warmup, long count, long capacity, const char *out) {
    size_t map_size;
    unsigned char *base = map_shared(&map_size);
    unsigned char *ring = base + JIPC_CHANNEL_HEADER_LENGTH;
    unsigned char *payload = payload_buffer(size);
    long space = (8 + size + 7) & ~7L;
    long index = 0;
    int64_t start = 0;
    int64_t cpu = 0;
    for (int64_t i = 0; i < warmup + count; i++) {
        if (i == warmup) {
            start = now_ns();
            cpu = cpu_ns();
        }
        if (index + space > capacity) {
            index = 0;
        }
        memcpy(payload, &i, sizeof i);
        memcpy(ring + index + 8, payload, size);
        index += space;
    }
    write_result(out, count, now_ns() - start, cpu_ns() - cpu);
    return 0;
}

/* ---- crew members (jipc.bench.Crew) ------------------------------------------------------------------------ */

/* Round trips at the start of each crew ping block that are not timed: side b has just woken from read(2). */
#define SYNC 16
/* The C SPSC ring floor: slot size, and how often the consumer publishes its head. */
#define RING_SLOT 64
#define RING_PUBLISH_EVERY 64
#define RING_SLOTS_OFFSET 4096

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a;
    int64_t y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

enum crew_kind { CREW_PING, CREW_FLAG, CREW_SEND, CREW_RECV, CREW_RING_SEND, CREW_RING_RECV, CREW_MEMCPY };

struct crew {
    enum crew_kind kind;
    int side_a;
    enum strategy strategy;
    int futex;
    long size;
    long capacity;
    long batch;                 /* crew send: messages per batch (jipc_channel_begin_batch), 0 = none */
    const char *samples;
    unsigned char *base;
    size_t map_size;
    jipc_channel ab, ba;
    unsigned char *payload;
    struct receiver r;
    int64_t next;             /* the next sequence number this member sends (or, for b and consumers, expects) */
    long copy_index;          /* memcpy: where the next block goes */
    /* ring */
    _Atomic int64_t *ring_head;
    unsigned char *ring_slots;
    int64_t ring_slot_count;
    int64_t ring_cached_head; /* producer: its last look at the consumer's head */
};

/*
 * The best-known C SPSC ring (the floor): fixed 64-byte slots, the message's sequence number + 1 in the
 * slot's first 8 bytes, stored last with release, so the consumer needs no other word to see a message; the consumer
 * publishes its head (release) only every RING_PUBLISH_EVERY messages, and the producer reads that head only when
 * its cached copy says the ring is full. Both spin with a pause. No wake-up, no crash safety, no variable length:
 * the limit a one-producer ring of 64 B messages can reach on this machine.
 */
static void ring_send(struct crew *c, int64_t seq) {
    int64_t n = c->ring_slot_count;
    while (seq - c->ring_cached_head >= n) {
        c->ring_cached_head = atomic_load_explicit(c->ring_head, memory_order_acquire);
        if (seq - c->ring_cached_head >= n) {
            __builtin_ia32_pause();
        }
    }
    unsigned char *slot = c->ring_slots + (seq % n) * RING_SLOT;
    memcpy(slot + 8, c->payload + 8, RING_SLOT - 8);
    atomic_store_explicit((_Atomic int64_t *) slot, seq + 1, memory_order_release);
}

static void ring_receive(struct crew *c, int64_t seq) {
    unsigned char *slot = c->ring_slots + (seq % c->ring_slot_count) * RING_SLOT;
    int64_t seen;
    while ((seen = atomic_load_explicit((_Atomic int64_t *) slot, memory_order_acquire)) != seq + 1) {
        __builtin_ia32_pause();
    }
    if ((seq + 1) % RING_PUBLISH_EVERY == 0) {
        atomic_store_explicit(c->ring_head, seq + 1, memory_order_release);
    }
}

/* One round trip of side a (ping or flag); seq is the round trip's number. */
static void crew_round_trip_a(struct crew *c, int64_t seq) {
    if (c->kind == CREW_PING) {
        memcpy(c->payload, &seq, sizeof seq);
        send(&c->ab, c->strategy, c->payload, c->size);
        receive(&c->ba, c->strategy, &c->r);
        return;
    }
    _Atomic int32_t *to_b = (_Atomic int32_t *) c->base;
    _Atomic int32_t *to_a = (_Atomic int32_t *) (c->base + 128);
    unsigned char *buffer_b = c->base + 4096;
    unsigned char *buffer_a = c->base + 4096 + ((c->size + 4095) & ~4095L);
    int32_t word = (int32_t) (seq + 1);
    memcpy(c->payload, &seq, sizeof seq);
    memcpy(buffer_b, c->payload, c->size);
    publish_seq(to_b, word, c->futex);
    await_seq(to_a, word, c->futex);
    int64_t echoed;
    memcpy(&echoed, buffer_a, sizeof echoed);
    if (echoed != seq) {
        fprintf(stderr, "channel_bench: flag echo %lld, expected %lld\n", (long long) echoed, (long long) seq);
        exit(1);
    }
}

/* One echo of side b. */
static void crew_echo_b(struct crew *c, int64_t seq) {
    if (c->kind == CREW_PING) {
        receive(&c->ab, c->strategy, &c->r);
        memcpy(c->payload, &seq, sizeof seq);
        send(&c->ba, c->strategy, c->payload, c->size);
        return;
    }
    _Atomic int32_t *to_b = (_Atomic int32_t *) c->base;
    _Atomic int32_t *to_a = (_Atomic int32_t *) (c->base + 128);
    unsigned char *buffer_b = c->base + 4096;
    unsigned char *buffer_a = c->base + 4096 + ((c->size + 4095) & ~4095L);
    int32_t word = (int32_t) (seq + 1);
    await_seq(to_b, word, c->futex);
    memcpy(c->payload, buffer_b, 8); /* the sequence number only, as the channel peers' handlers read */
    memcpy(buffer_a, c->payload, c->size);
    publish_seq(to_a, word, c->futex);
}

/* One block of COUNT; returns side a's median round trip (0 for the others); times has room for count. */
static int64_t crew_block(struct crew *c, long count, int64_t *times) {
    switch (c->kind) {
    case CREW_PING:
    case CREW_FLAG:
        if (!c->side_a) {
            for (long i = 0; i < SYNC + count; i++) {
                crew_echo_b(c, c->next++);
            }
            return 0;
        }
        for (long i = 0; i < SYNC + count; i++) {
            int64_t start = now_ns();
            crew_round_trip_a(c, c->next++);
            int64_t end = now_ns();
            if (i >= SYNC) {
                times[i - SYNC] = end - start;
            }
        }
        if (count == 0) {
            return 0;
        }
        if (c->samples != NULL) {
            FILE *f = fopen(c->samples, "ab");
            if (f == NULL || fwrite(times, sizeof(int64_t), count, f) != (size_t) count || fclose(f) != 0) {
                die(c->samples);
            }
        }
        qsort(times, count, sizeof(int64_t), cmp64);
        return times[count / 2];
    case CREW_SEND:
        for (long i = 0; i < count; i++) {
            if (c->batch > 0 && i % c->batch == 0) {
                jipc_channel_end_batch(&c->ab);
                jipc_channel_begin_batch(&c->ab);
            }
            memcpy(c->payload, &c->next, sizeof c->next);
            c->next++;
            send(&c->ab, c->strategy, c->payload, c->size);
        }
        jipc_channel_end_batch(&c->ab);
        return 0;
    case CREW_RECV: {
        int64_t target = c->r.expected + count;
        while (c->r.expected < target) {
            receive(&c->ab, c->strategy, &c->r);
        }
        if (c->r.expected != target) {
            fprintf(stderr, "channel_bench: received %lld messages, expected %lld\n", (long long) c->r.expected,
                    (long long) target);
            exit(1);
        }
        return 0;
    }
    case CREW_RING_SEND:
        for (long i = 0; i < count; i++) {
            ring_send(c, c->next++);
        }
        return 0;
    case CREW_RING_RECV:
        for (long i = 0; i < count; i++) {
            ring_receive(c, c->next++);
        }
        atomic_store_explicit(c->ring_head, c->next, memory_order_release);
        return 0;
    case CREW_MEMCPY: {
        unsigned char *ring = c->base + JIPC_CHANNEL_HEADER_LENGTH;
        long space = (8 + c->size + 7) & ~7L;
        for (long i = 0; i < count; i++) {
            if (c->copy_index + space > c->capacity) {
                c->copy_index = 0;
            }
            memcpy(c->payload, &c->next, sizeof c->next);
            c->next++;
            memcpy(ring + c->copy_index + 8, c->payload, c->size);
            c->copy_index += space;
        }
        return 0;
    }
    }
    return 0;
}

static int crew(int argc, char **argv) {
    struct crew c;
    memset(&c, 0, sizeof c);
    const char *kind = argc > 2 ? argv[2] : "";
    if (strcmp(kind, "ping") == 0 && (argc == 7 || argc == 8)) {
        c.kind = CREW_PING;
        c.side_a = strcmp(argv[3], "a") == 0;
        c.strategy = parse_strategy(argv[4]);
        c.size = atol(argv[5]);
        c.capacity = atol(argv[6]);
        c.samples = argc == 8 ? argv[7] : NULL;
    } else if (strcmp(kind, "flag") == 0 && (argc == 6 || argc == 7)) {
        c.kind = CREW_FLAG;
        c.side_a = strcmp(argv[3], "a") == 0;
        c.futex = strcmp(argv[4], "futex") == 0;
        c.size = atol(argv[5]);
        c.samples = argc == 7 ? argv[6] : NULL;
    } else if (((strcmp(kind, "send") == 0 || strcmp(kind, "recv") == 0) && argc == 6)
               || (strcmp(kind, "send") == 0 && argc == 7)) {
        c.kind = kind[0] == 's' ? CREW_SEND : CREW_RECV;
        c.strategy = parse_strategy(argv[3]);
        c.size = atol(argv[4]);
        c.capacity = atol(argv[5]);
        c.batch = argc == 7 ? atol(argv[6]) : 0;
    } else if ((strcmp(kind, "ring-send") == 0 || strcmp(kind, "ring-recv") == 0) && argc == 4) {
        c.kind = kind[5] == 's' ? CREW_RING_SEND : CREW_RING_RECV;
        c.size = atol(argv[3]);
        if (c.size != RING_SLOT) {
            fprintf(stderr, "channel_bench: the ring floor has %d-byte slots, not %ld\n", RING_SLOT, c.size);
            return 2;
        }
    } else if (strcmp(kind, "memcpy") == 0 && argc == 5) {
        c.kind = CREW_MEMCPY;
        c.size = atol(argv[3]);
        c.capacity = atol(argv[4]);
    } else {
        usage();
    }
    if (c.size < 8) {
        fprintf(stderr, "channel_bench: SIZE %ld < 8: a message carries its sequence number\n", c.size);
        return 2;
    }
    c.base = map_shared(&c.map_size);
    c.payload = payload_buffer(c.size);
    if (c.kind == CREW_PING || c.kind == CREW_SEND || c.kind == CREW_RECV) {
        size_t second = JIPC_CHANNEL_HEADER_LENGTH + c.capacity;
        attach(&c.ab, c.base, second);
        if (c.kind == CREW_PING) {
            attach(&c.ba, c.base + second, c.map_size - second);
        }
    } else if (c.kind == CREW_FLAG) {
        if ((size_t) (4096 + 2 * ((c.size + 4095) & ~4095L)) > c.map_size) {
            fprintf(stderr, "channel_bench: memfd too small for flag mode\n");
            return 1;
        }
    } else if (c.kind == CREW_RING_SEND || c.kind == CREW_RING_RECV) {
        c.ring_head = (_Atomic int64_t *) c.base;
        c.ring_slots = c.base + RING_SLOTS_OFFSET;
        c.ring_slot_count = (int64_t) ((c.map_size - RING_SLOTS_OFFSET) / RING_SLOT);
        if (c.ring_slot_count <= RING_PUBLISH_EVERY) {
            fprintf(stderr, "channel_bench: memfd too small for the ring floor\n");
            return 1;
        }
    } else if ((size_t) (JIPC_CHANNEL_HEADER_LENGTH + c.capacity) > c.map_size) {
        fprintf(stderr, "channel_bench: memfd too small for memcpy\n");
        return 1;
    }
    int64_t *times = NULL;
    long times_length = 0;
    crew_ready();
    long count;
    while ((count = crew_next_block("channel_bench")) >= 0) {
        if (times_length < count) {
            free(times);
            times = malloc(sizeof(int64_t) * count);
            times_length = count;
            if (times == NULL) {
                die("malloc");
            }
        }
        int64_t t0 = now_ns();
        int64_t cpu = cpu_ns();
        int64_t p50 = crew_block(&c, count, times);
        int64_t t1 = now_ns();
        crew_done(t0, t1, cpu_ns() - cpu, count, 0, p50);
    }
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: channel_bench ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]\n"
                    "       channel_bench flag a|b spin|futex SIZE WARMUP ROUNDS [OUT]\n"
                    "       channel_bench send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT\n"
                    "       channel_bench memcpy SIZE WARMUP COUNT CAPACITY OUT\n"
                    "       channel_bench crew ping a|b STRATEGY SIZE CAPACITY [SAMPLES]\n"
                    "       channel_bench crew flag a|b spin|futex SIZE [SAMPLES]\n"
                    "       channel_bench crew send|recv STRATEGY SIZE CAPACITY (send: [BATCH])\n"
                    "       channel_bench crew ring-send|ring-recv 64\n"
                    "       channel_bench crew memcpy SIZE CAPACITY\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage();
    }
    const char *mode = argv[1];
    if (strcmp(mode, "crew") == 0) {
        return crew(argc, argv);
    }
    if (strcmp(mode, "ping") == 0 && (argc == 8 || argc == 9)) {
        int side_a = strcmp(argv[2], "a") == 0;
        if (side_a != (argc == 9)) {
            usage();
        }
        return ping(side_a, parse_strategy(argv[3]), atol(argv[4]), atol(argv[5]), atol(argv[6]), atol(argv[7]),
                    side_a ? argv[8] : NULL);
    }
    if (strcmp(mode, "flag") == 0 && (argc == 7 || argc == 8)) {
        int side_a = strcmp(argv[2], "a") == 0;
        int futex = strcmp(argv[3], "futex") == 0;
        if (side_a != (argc == 8) || (!futex && strcmp(argv[3], "spin") != 0)) {
            usage();
        }
        return flag(side_a, futex, atol(argv[4]), atol(argv[5]), atol(argv[6]), side_a ? argv[7] : NULL);
    }
    if ((strcmp(mode, "send") == 0 || strcmp(mode, "recv") == 0) && argc == 8) {
        return throughput(mode[0] == 's', parse_strategy(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]),
                          atol(argv[6]), argv[7]);
    }
    if (strcmp(mode, "memcpy") == 0 && argc == 7) {
        return copy_bandwidth(atol(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]), argv[6]);
    }
    usage();
    return 2;
}
