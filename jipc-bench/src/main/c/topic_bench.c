/*
 * topic_bench: the C side of jipc's topic benchmarks (jipc.bench.topic.TopicBenchmark), compiled at run time with
 * jipc_topic.c and jipc_live.c, the C twin of jipc.topic. The Java twin of this program is
 * jipc.bench.topic.TopicPeer: same arguments, same protocol, same messages.
 *
 *   topic_bench pub|sub|ping-a|ping-b WAIT SIZE CAPACITY IN OUT [SAMPLES]
 *   topic_bench memcpy - SIZE CAPACITY - OUT
 *
 * The harness creates the memfd at fd 3 and writes the topics into it (jipc.topic.Topic.create) at byte offsets IN
 * (the topic this member subscribes to) and OUT (the one it publishes on); -1 for none. It drives the member with
 * lines on stdin and reads its reports on stdout (jipc.bench.Crew):
 *   -> ready                          once attached (a subscriber: joined at the tail)
 *   <- run COUNT                      one block
 *   -> done T0 T1 CPU COUNT LOST P50  CLOCK_MONOTONIC start and end (ns), CLOCK_PROCESS_CPUTIME_ID over the block
 *                                     (ns), messages handled, messages lost, median round trip (ns, ping-a; else 0)
 *   <- quit, or end of file           exit 0
 * Per block: pub publishes COUNT messages of SIZE bytes (offer; on a full BLOCK ring it waits with WAIT and offers
 * again); sub receives until the block's last message, counting what it lost by the sequence numbers (a loss in
 * BLOCK mode, or a message out of order, exits 1); ping-a makes COUNT round trips (publish on OUT, wait for the echo
 * on IN) and appends each one's nanoseconds (int64, native order) to SAMPLES; ping-b echoes COUNT messages; memcpy
 * copies COUNT messages of SIZE bytes (with the 16-byte record header's spacing) round the ring area of the topic at
 * OUT in one process: the floor of a topic's throughput.
 *
 * WAIT: spin (re-check with a pause), hybrid (1000 pauses, then the futex wait of jipc_topic.c, as
 * jipc.channel.WaitStrategy.hybrid()), futex (the futex wait at once). Each message carries its sequence number
 * (int64, native order) in its first 8 bytes.
 * exit: 0 done, 2 usage, 1 a system call failed or a message was lost (BLOCK) or out of order.
 */
#define _GNU_SOURCE
#include "jipc_topic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crew.h"

#define SHM_FD 3
#define HYBRID_SPINS 1000

enum strategy { SPIN, HYBRID, FUTEX };

static void die(const char *what) {
    fprintf(stderr, "topic_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) {
        die("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    }
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
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
    fprintf(stderr, "topic_bench: unknown strategy %s (spin, hybrid, futex)\n", s);
    exit(2);
}

/* A subscriber's check of the sequence numbers. */
struct receiver {
    int block;
    int64_t last;
    int64_t received;
    int64_t lost;
};

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct receiver *r = context;
    int64_t seq;
    memcpy(&seq, payload, sizeof seq);
    if (type != 1 || length < sizeof seq || seq <= r->last || (r->block && seq != r->last + 1)) {
        fprintf(stderr, "topic_bench: message %lld after %lld (type %d, length %u%s)\n", (long long) seq,
                (long long) r->last, type, length, r->block ? ", BLOCK" : "");
        exit(1);
    }
    r->lost += seq - r->last - 1;
    r->last = seq;
    r->received++;
}

/* Receives until the message of sequence seq has arrived, waiting with the strategy. */
static void receive_until(jipc_topic_subscriber *s, enum strategy strategy, struct receiver *r, int64_t seq) {
    while (r->last < seq) {
        int n = jipc_topic_subscriber_poll(s, on_message, r, 256);
        if (n < 0) {
            die("jipc_topic_subscriber_poll");
        }
        if (n > 0 || r->last >= seq) {
            continue;
        }
        if (strategy == SPIN) {
            while (!jipc_topic_subscriber_has_message(s)) {
                __builtin_ia32_pause();
            }
            continue;
        }
        if (strategy == HYBRID) {
            int i;
            for (i = 0; i < HYBRID_SPINS && !jipc_topic_subscriber_has_message(s); i++) {
                __builtin_ia32_pause();
            }
            if (i < HYBRID_SPINS) {
                continue;
            }
        }
        if (jipc_topic_subscriber_wait(s, -1) < 0) {
            die("jipc_topic_subscriber_wait");
        }
    }
}

/* Publishes one message; on a full BLOCK ring waits for room with the strategy. */
static void publish(jipc_topic_publisher *p, enum strategy strategy, unsigned char *payload, uint32_t size,
                    int64_t seq) {
    memcpy(payload, &seq, sizeof seq);
    int spins = 0;
    for (;;) {
        int sent = jipc_topic_publisher_offer(p, 1, payload, size);
        if (sent < 0) {
            die("jipc_topic_publisher_offer");
        }
        if (sent) {
            return;
        }
        if (strategy == SPIN || (strategy == HYBRID && spins++ < HYBRID_SPINS)) {
            __builtin_ia32_pause();
        } else if (jipc_topic_publisher_wait_room(p, size, -1) < 0) {
            die("jipc_topic_publisher_wait_room");
        }
    }
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static void attach(jipc_topic *t, unsigned char *base, size_t map_size, long offset, long capacity) {
    if (offset < 0 || (size_t) offset + JIPC_TOPIC_SIZE(capacity) > map_size) {
        fprintf(stderr, "topic_bench: no topic of capacity %ld at offset %ld of %zu bytes\n", capacity, offset,
                map_size);
        exit(2);
    }
    int error = jipc_topic_attach(t, base + offset, JIPC_TOPIC_SIZE(capacity));
    if (error != JIPC_TOPIC_OK) {
        fprintf(stderr, "topic_bench: attach: %s\n", jipc_topic_strerror(error));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 7 || argc > 8) {
        fprintf(stderr, "usage: topic_bench pub|sub|ping-a|ping-b spin|hybrid|futex SIZE CAPACITY IN OUT [SAMPLES]\n"
                        "       topic_bench memcpy - SIZE CAPACITY - OUT\n");
        return 2;
    }
    const char *role = argv[1];
    int memcpy_role = strcmp(role, "memcpy") == 0;
    enum strategy strategy = memcpy_role ? SPIN : parse_strategy(argv[2]);
    long size = atol(argv[3]);
    long capacity = atol(argv[4]);
    long in = memcpy_role ? -1 : atol(argv[5]);
    long out = atol(argv[6]);
    const char *samples_file = argc == 8 ? argv[7] : NULL;
    if (size < 8) {
        fprintf(stderr, "topic_bench: SIZE %ld < 8: a message carries its sequence number\n", size);
        return 2;
    }
    struct stat st;
    if (fstat(SHM_FD, &st) < 0) {
        die("fstat(fd 3)");
    }
    unsigned char *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, SHM_FD, 0);
    if (base == MAP_FAILED) {
        die("mmap(fd 3)");
    }
    crew_touch_pages(base, st.st_size);
    jipc_topic in_topic, out_topic;
    jipc_topic_publisher pub;
    jipc_topic_subscriber sub;
    int has_pub = 0, has_sub = 0;
    if (!memcpy_role && out >= 0) {
        attach(&out_topic, base, st.st_size, out, capacity);
        if (jipc_topic_publisher_open(&pub, &out_topic) < 0) {
            die("jipc_topic_publisher_open");
        }
        has_pub = 1;
    }
    if (in >= 0) {
        attach(&in_topic, base, st.st_size, in, capacity);
        if (jipc_topic_subscriber_open(&sub, &in_topic, 0) < 0) {
            die("jipc_topic_subscriber_open");
        }
        has_sub = 1;
    }
    struct receiver r = { has_sub && !in_topic.overwrite, -1, 0, 0 };
    unsigned char *payload = calloc(1, size);
    int64_t *times = NULL;
    long times_length = 0;
    if (payload == NULL) {
        die("calloc");
    }
    int64_t next = 0;
    long ring_index = 0;
    crew_ready();
    long count;
    while ((count = crew_next_block("topic_bench")) >= 0) {
        int64_t t0 = now_ns();
        int64_t cpu = cpu_ns();
        int64_t received = r.received, lost = r.lost, p50 = 0, handled = count;
        if (memcpy_role) {
            unsigned char *ring = base + out + JIPC_TOPIC_HEADER_LENGTH;
            long space = (16 + size + 15) & ~15L;
            for (long i = 0; i < count; i++) {
                if (ring_index + space > capacity) {
                    ring_index = 0;
                }
                memcpy(payload, &next, sizeof next);
                next++;
                memcpy(ring + ring_index + 16, payload, size);
                ring_index += space;
            }
        } else if (strcmp(role, "pub") == 0) {
            for (long i = 0; i < count; i++) {
                publish(&pub, strategy, payload, size, next++);
            }
        } else if (strcmp(role, "sub") == 0) {
            next += count;
            receive_until(&sub, strategy, &r, next - 1);
            handled = r.received - received;
        } else if (strcmp(role, "ping-a") == 0 || strcmp(role, "ping-b") == 0) {
            int side_a = role[5] == 'a';
            if (side_a && times_length < count) {
                free(times);
                times = malloc(sizeof(int64_t) * count);
                times_length = count;
                if (times == NULL) {
                    die("malloc");
                }
            }
            for (long i = 0; i < count; i++) {
                int64_t start = now_ns();
                int64_t seq = next++;
                if (side_a) {
                    publish(&pub, strategy, payload, size, seq);
                    receive_until(&sub, strategy, &r, seq);
                    times[i] = now_ns() - start;
                } else {
                    receive_until(&sub, strategy, &r, seq);
                    publish(&pub, strategy, payload, size, seq);
                }
            }
            if (side_a && count > 0) {
                if (samples_file != NULL) {
                    FILE *f = fopen(samples_file, "ab");
                    if (f == NULL || fwrite(times, sizeof(int64_t), count, f) != (size_t) count || fclose(f) != 0) {
                        die(samples_file);
                    }
                }
                qsort(times, count, sizeof(int64_t), cmp64);
                p50 = times[count / 2];
            }
        } else {
            fprintf(stderr, "topic_bench: unknown role %s\n", role);
            return 2;
        }
        int64_t t1 = now_ns();
        crew_done(t0, t1, cpu_ns() - cpu, handled, r.lost - lost, p50);
    }
    if (has_sub) {
        jipc_topic_subscriber_close(&sub);
    }
    if (has_pub) {
        jipc_topic_publisher_close(&pub);
    }
    return 0;
}
