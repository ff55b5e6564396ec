/*
 * topic_inprocess: the C twin's equal of jipc.bench.TopicBenchmarks (JMH): the topic's own code in one thread and one
 * process. Each round publishes 128 messages of SIZE bytes (jipc_topic_publisher_offer) and then one subscriber
 * polls them all, the handler reading each message's first 8 bytes; prints nanoseconds per message, publisher and
 * subscriber together, for BLOCK and OVERWRITE, five measurements of ROUNDS rounds each after one to warm up.
 *
 *   gcc -O2 -Inative jipc-bench/src/main/c/topic_inprocess.c native/jipc_topic.c native/jipc_live.c -o /tmp/tip
 *   taskset -c 1 /tmp/tip 4096 20000
 */
#define _GNU_SOURCE
#include "jipc_topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BATCH 128

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sink(void *context, int32_t type, const void *payload, uint32_t length) {
    (void) type;
    (void) length;
    int64_t seq;
    memcpy(&seq, payload, sizeof seq);
    *(int64_t *) context += seq;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: topic_inprocess SIZE ROUNDS\n");
        return 64;
    }
    int size = atoi(argv[1]);
    int rounds = atoi(argv[2]);
    const int64_t capacity = 1 << 20;
    if (size < 8 || size > 65536 || rounds < 1) {
        fprintf(stderr, "topic_inprocess: SIZE in [8, 65536], ROUNDS >= 1\n");
        return 64;
    }
    int64_t sum = 0;
    for (int overwrite = 0; overwrite < 2; overwrite++) {
        size_t bytes = JIPC_TOPIC_SIZE(capacity);
        void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        jipc_topic topic;
        jipc_topic_publisher pub;
        jipc_topic_subscriber sub;
        if (base == MAP_FAILED || jipc_topic_create(base, bytes, capacity, 65536, overwrite ? JIPC_TOPIC_FLAG_OVERWRITE : 0)
                || jipc_topic_attach(&topic, base, bytes) || jipc_topic_publisher_open(&pub, &topic)
                || jipc_topic_subscriber_open(&sub, &topic, 0) < 0) {
            perror("topic_inprocess: setting up");
            return 1;
        }
        unsigned char *payload = aligned_alloc(64, (size_t) size);
        memset(payload, 1, (size_t) size);
        int64_t next = 0;
        for (int measurement = 0; measurement <= 5; measurement++) {
            long long t0 = now_ns();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < BATCH; i++, next++) {
                    memcpy(payload, &next, sizeof next);
                    if (jipc_topic_publisher_offer(&pub, 1, payload, (uint32_t) size) != 1) {
                        fprintf(stderr, "topic_inprocess: no room in a batch\n");
                        return 1;
                    }
                }
                for (int got = 0; got < BATCH;) {
                    int n = jipc_topic_subscriber_poll(&sub, sink, &sum, BATCH);
                    if (n < 0) {
                        perror("jipc_topic_subscriber_poll");
                        return 1;
                    }
                    got += n;
                }
            }
            double per = (double) (now_ns() - t0) / ((double) rounds * BATCH);
            if (measurement > 0) {
                printf("C twin %s %d B: %.1f ns/message (publish + poll)\n", overwrite ? "OVERWRITE" : "BLOCK", size,
                       per);
            }
        }
        jipc_topic_subscriber_close(&sub);
        jipc_topic_publisher_close(&pub);
        free(payload);
        munmap(base, bytes);
    }
    return sum == 42 ? 2 : 0; /* keeps the reads */
}
