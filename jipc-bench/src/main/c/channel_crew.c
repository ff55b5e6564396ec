/*
 * channel_crew: the C twin's consumer as a member of a jipc.bench.Crew, the baseline of the Python consumer in jipc's
 * Python benchmarks (jipc.bench.python.PythonBenchmark). Compiled at run time with jipc_channel.c and jipc_live.c.
 *
 *   channel_crew recv NAME SIZE WAIT   attaches to the channel in the POSIX shared memory object NAME (made by the
 *                                      harness), takes its consumer role and per block receives COUNT messages with
 *                                      jipc_channel_poll; the handler reads the 8-byte sequence number at the start of
 *                                      each message and checks it (the work the Python consumer's handler does)
 *
 * WAIT: spin (re-check with a pause), hybrid (1000 pauses, then jipc_channel_wait_message, as WaitStrategy.hybrid())
 * or futex (jipc_channel_wait_message at once). Prints "ready" once attached, then per "run COUNT" line on stdin
 * "done T0 T1 CPU COUNT 0 0" (CLOCK_MONOTONIC ns, CLOCK_PROCESS_CPUTIME_ID ns over the block). "quit" or end of file:
 * exit 0. A message out of sequence or a failed system call: a message on stderr naming it, exit 1.
 */
#define _GNU_SOURCE
#include "jipc_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crew.h"

#define HYBRID_SPINS 1000

enum strategy { SPIN, HYBRID, FUTEX };

static void die(const char *call, const char *argument) {
    fprintf(stderr, "channel_crew: %s(%s) failed: %s\n", call, argument, strerror(errno));
    exit(1);
}

static int64_t clock_ns(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) < 0) {
        die("clock_gettime", clock == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC" : "CLOCK_PROCESS_CPUTIME_ID");
    }
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t expected;

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    (void) context;
    int64_t seq;
    memcpy(&seq, payload, sizeof seq);
    if (type != 1 || length < sizeof seq || seq != expected) {
        fprintf(stderr, "channel_crew: message out of sequence: type %d, length %u, seq %lld, expected %lld\n", type,
                length, (long long) seq, (long long) expected);
        exit(1);
    }
    expected++;
}

/* Receives at least one message (all that are there), waiting with the strategy. */
static void receive(jipc_channel *ch, enum strategy strategy, const char *name) {
    for (;;) {
        int n = jipc_channel_poll(ch, on_message, NULL, INT_MAX);
        if (n < 0) {
            die("jipc_channel_poll", name);
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

int main(int argc, char **argv) {
    if (argc != 5 || strcmp(argv[1], "recv") != 0) {
        fprintf(stderr, "usage: channel_crew recv NAME SIZE spin|hybrid|futex\n");
        return 2;
    }
    const char *name = argv[2];
    enum strategy strategy = strcmp(argv[4], "spin") == 0 ? SPIN : strcmp(argv[4], "hybrid") == 0 ? HYBRID
            : strcmp(argv[4], "futex") == 0 ? FUTEX : -1;
    if ((int) strategy < 0 || atol(argv[3]) < 8) {
        fprintf(stderr, "channel_crew: WAIT is spin, hybrid or futex and SIZE at least 8: %s %s\n", argv[4], argv[3]);
        return 2;
    }
    int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        die("shm_open", name);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        die("fstat", name);
    }
    void *base = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (base == MAP_FAILED) {
        die("mmap", name);
    }
    crew_touch_pages(base, (size_t) st.st_size);
    jipc_channel ch;
    int r = jipc_channel_attach(&ch, base, (size_t) st.st_size);
    if (r != JIPC_CHANNEL_OK) {
        fprintf(stderr, "channel_crew: jipc_channel_attach(%s) failed: %s\n", name, jipc_channel_strerror(r));
        return 1;
    }
    if (jipc_channel_register_consumer(&ch) < 0) {
        die("jipc_channel_register_consumer", name);
    }
    crew_ready();
    long count;
    while ((count = crew_next_block("channel_crew")) >= 0) {
        int64_t t0 = clock_ns(CLOCK_MONOTONIC);
        int64_t cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        int64_t end = expected + count;
        while (expected < end) {
            receive(&ch, strategy, name);
        }
        int64_t t1 = clock_ns(CLOCK_MONOTONIC);
        crew_done(t0, t1, clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu, count, 0, 0);
    }
    jipc_channel_unregister_consumer(&ch);
    munmap(base, (size_t) st.st_size);
    close(fd);
    return 0;
}
