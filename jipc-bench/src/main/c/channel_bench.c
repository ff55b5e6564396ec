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

#define SHM_FD 3
#define HYBRID_SPINS 1000

enum strategy { SPIN, HYBRID, FUTEX };

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
    unsigned char *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, SHM_FD, 0);
    if (base == MAP_FAILED) {
        die("mmap(fd 3)");
    }
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

static unsigned char *payload_buffer(long size) {
    unsigned char *p = calloc(1, size);
    if (p == NULL) {
        die("calloc");
    }
    return p;
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

static void usage(void) {
    fprintf(stderr, "usage: channel_bench ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]\n"
                    "       channel_bench flag a|b spin|futex SIZE WARMUP ROUNDS [OUT]\n"
                    "       channel_bench send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT\n"
                    "       channel_bench memcpy SIZE WARMUP COUNT CAPACITY OUT\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage();
    }
    const char *mode = argv[1];
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
