/*
 * A subscriber of a jipc topic in C, built from native/jipc_topic.c and native/jipc_live.c, for TopicCTest (and as
 * a peer for benchmarks). Messages are those of topic_messages.h.
 *
 *   topic_sub NAME SEED MAX [--wait spin|futex] [--history K] [--delay-us N] [--hang-after N] [--timeout-s N]
 *             [--count N] [--receive N]
 *
 * Takes a slot, joins at the tail (or K messages back), prints "joined slot I expected E", then receives until an
 * end-of-stream message (or, with --count N, until it has received or lost N messages; with --receive N, until it has
 * received N), checking every message
 * whole against the one its sequence names (the sequence comes from the type modulo 2^30, the subscriber's expected
 * sequence gives the rest): its length and every byte. On a BLOCK
 * topic every message must arrive, in order; on an OVERWRITE topic the sequences must grow, and what was skipped must
 * be what the subscriber counts as lost. Waits for messages with futex sleeps (default) or by spinning on poll.
 * --delay-us sleeps that long after each message (a slow subscriber); --hang-after stops reading for good after N
 * messages (printing "hanging"), holding its slot until it is killed. At the end prints
 * "received R lost L sum S last Q" (R without the end message, L as the subscriber counted it, S the sum of the
 * payloads' CRC32C modulo 2^64, Q the last sequence received) and gives the slot back.
 *
 * Exit 0 on success; 1 with a message on stderr for a defect (a torn, wrong, repeated or, on BLOCK, missing message;
 * no message within the timeout, default 60 s); 2 for a usage or system error.
 */
#include "jipc_topic.h"
#include "topic_messages.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct receiver {
    jipc_topic_subscriber *s;
    uint64_t seed;
    uint32_t max;
    unsigned char *scratch;
    int block;
    long delay_us;
    int64_t hang_after;
    int64_t received;
    int64_t last;
    uint64_t sum;
    int ended;
    int64_t end_sequence;           /* with --count: the sequence after the last message it waits for, else -1 */
    int64_t receive;                /* with --receive: the messages it waits for, else 0 */
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct receiver *r = context;
    if (r->ended && r->receive == 0) { /* with --receive, the rest of the last poll's batch is checked and counted */
        fprintf(stderr, "a message after the end of the stream\n");
        exit(1);
    }
    if (type == TOPIC_END_TYPE) {
        r->ended = 1;
        return;
    }
    if (type < 1 || type > TOPIC_TYPE_MASK + 1) {
        fprintf(stderr, "type %d is no test message\n", type);
        exit(1);
    }
    /* the subscriber's expected sequence before this message; the type says the sequence modulo 2^30 */
    int64_t expected = r->s->expected;
    int64_t q = expected + (((int64_t) type - 1 - expected) & TOPIC_TYPE_MASK);
    if (r->block && q != expected) {
        fprintf(stderr, "BLOCK topic: message %lld where %lld was expected\n", (long long) q, (long long) expected);
        exit(1);
    }
    if (r->received > 0 && q <= r->last) {
        fprintf(stderr, "message %lld after %lld\n", (long long) q, (long long) r->last);
        exit(1);
    }
    uint32_t wanted = message_fill(r->scratch, r->seed, q, r->max);
    if (length != wanted) {
        fprintf(stderr, "message %lld: length %u, expected %u\n", (long long) q, length, wanted);
        exit(1);
    }
    if (memcmp(payload, r->scratch, length) != 0) {
        fprintf(stderr, "message %lld: content differs (torn)\n", (long long) q);
        exit(1);
    }
    r->sum += crc32c(payload, length);
    r->received++;
    r->last = q;
    if (r->end_sequence >= 0 && q + 1 >= r->end_sequence) {
        r->ended = 1;
    }
    if (r->receive > 0 && r->received >= r->receive) {
        r->ended = 1;
    }
    if (r->delay_us > 0) {
        struct timespec ts = { r->delay_us / 1000000, (r->delay_us % 1000000) * 1000 };
        nanosleep(&ts, NULL);
    }
    if (r->hang_after > 0 && r->received == r->hang_after) {
        printf("hanging\n");
        fflush(stdout);
        for (;;) {
            pause();
        }
    }
}

/* On a corrupt record: the shared positions and the header at the cursor, for the test's report. */
static void describe(const jipc_topic *t, const jipc_topic_subscriber *s) {
    int64_t tail, intent, oldest, floor, sequence;
    int32_t length, type;
    memcpy(&tail, t->base + JIPC_TOPIC_TAIL_OFFSET, 8);
    memcpy(&intent, t->base + JIPC_TOPIC_INTENT_OFFSET, 8);
    memcpy(&oldest, t->base + JIPC_TOPIC_OLDEST_OFFSET, 8);
    memcpy(&floor, t->base + JIPC_TOPIC_FLOOR_OFFSET, 8);
    uint64_t index = (uint64_t) s->cursor & t->mask;
    memcpy(&length, t->ring + index + JIPC_TOPIC_RECORD_LENGTH_OFFSET, 4);
    memcpy(&type, t->ring + index + JIPC_TOPIC_RECORD_TYPE_OFFSET, 4);
    memcpy(&sequence, t->ring + index + JIPC_TOPIC_RECORD_SEQUENCE_OFFSET, 8);
    fprintf(stderr, "cursor %lld tail %lld intent %lld oldest %lld floor %lld expected %lld; at the cursor: "
                    "length %d type %d sequence %lld\n", (long long) s->cursor, (long long) tail, (long long) intent,
            (long long) oldest, (long long) floor, (long long) s->expected, length, type, (long long) sequence);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s NAME SEED MAX [--wait spin|futex] [--history K] [--delay-us N] "
                        "[--hang-after N] [--timeout-s N] [--count N] [--receive N]\n", argv[0]);
        return 2;
    }
    crc32c_init();
    struct receiver r;
    memset(&r, 0, sizeof r);
    r.seed = strtoull(argv[2], NULL, 10);
    r.max = (uint32_t) strtoul(argv[3], NULL, 10);
    r.last = -1;
    int spin = 0;
    int64_t history = 0;
    int64_t count = -1;
    int64_t timeout_ns = 60000000000LL;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
            spin = strcmp(argv[++i], "spin") == 0;
        } else if (strcmp(argv[i], "--history") == 0 && i + 1 < argc) {
            history = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--delay-us") == 0 && i + 1 < argc) {
            r.delay_us = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--hang-after") == 0 && i + 1 < argc) {
            r.hang_after = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
            count = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--receive") == 0 && i + 1 < argc) {
            r.receive = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--timeout-s") == 0 && i + 1 < argc) {
            timeout_ns = strtoll(argv[++i], NULL, 10) * 1000000000LL;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) {
        perror("shm_open");
        return 2;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        perror("fstat");
        return 2;
    }
    void *base = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    close(fd);
    jipc_topic t;
    int error = jipc_topic_attach(&t, base, (size_t) st.st_size);
    if (error != JIPC_TOPIC_OK) {
        fprintf(stderr, "attach: %s\n", jipc_topic_strerror(error));
        return 2;
    }
    r.scratch = malloc(r.max + 1);
    jipc_topic_subscriber s;
    if (r.scratch == NULL || jipc_topic_subscriber_open(&s, &t, history) < 0) {
        perror("jipc_topic_subscriber_open");
        return 2;
    }
    r.s = &s;
    r.block = !t.overwrite;
    r.end_sequence = count < 0 ? -1 : s.expected + count;
    printf("joined slot %d expected %lld\n", s.slot, (long long) s.expected);
    fflush(stdout);
    int64_t last_message = now_ns();
    unsigned idle = 0;
    while (!r.ended) {
        /* with --receive, no more than the messages still wanted: a poll that went on after the last one could jump
         * ahead (lapped again) and count as lost messages past the last one it reports */
        int limit = r.receive > 0 && r.receive - r.received < 256 ? (int) (r.receive - r.received) : 256;
        int n = jipc_topic_subscriber_poll(&s, on_message, &r, limit < 1 ? 1 : limit);
        if (n < 0) {
            perror("jipc_topic_subscriber_poll");
            describe(&t, &s);
            return 1;
        }
        if (n > 0) {
            last_message = now_ns();
            idle = 0;
            continue;
        }
        if (spin) {
            __builtin_ia32_pause();
            if ((++idle & 0xFFFF) != 0) {
                continue;
            }
        } else {
            jipc_topic_subscriber_wait(&s, 100000000LL);
        }
        if (now_ns() - last_message > timeout_ns) {
            fprintf(stderr, "no message within %lld s after %lld\n", (long long) (timeout_ns / 1000000000LL),
                    (long long) r.received);
            return 1;
        }
    }
    printf("received %lld lost %lld sum %llu last %lld\n", (long long) r.received, (long long) s.lost,
           (unsigned long long) r.sum, (long long) r.last);
    jipc_topic_subscriber_close(&s);
    return 0;
}
