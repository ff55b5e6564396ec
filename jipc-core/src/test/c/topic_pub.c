/*
 * The publisher of a jipc topic in C, built from native/jipc_topic.c and native/jipc_live.c, for TopicCTest (and
 * as a peer for benchmarks). Messages are those of topic_messages.h.
 *
 *   topic_pub create NAME CAPACITY MAX block|overwrite
 *       create the POSIX shared memory object NAME (O_EXCL, 0600) holding a new topic
 *   topic_pub publish NAME SEED MAX COUNT [--wait spin|futex] [--end] [--pace-us N] [--then-claim]
 *       take the publisher role and publish COUNT messages, message q being the topic's next sequence (so a
 *       publisher that takes over from a dead one goes on with the right messages), then with --end an end-of-stream
 *       message; BLOCK waits for room by spinning on offer or (default) with futex waits (put); --pace-us sleeps that
 *       long between messages. Prints "publishing from Q" when it holds the role, and at the end
 *       "published COUNT next Q sum S" (S: the sum of the payloads' CRC32C, modulo 2^64). --then-claim: then claims
 *       room for the next message (MAX bytes), writes half of it, prints "claimed Q" and waits to be killed (a
 *       publisher that dies in the middle of a message).
 *
 * Exit 0 on success; 1 with a message on stderr for a defect (no room within 60 s); 2 for a usage or system error.
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

#define ROOM_TIMEOUT_NS 60000000000LL

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int create(const char *name, int64_t capacity, uint32_t max, const char *policy) {
    uint32_t flags;
    if (strcmp(policy, "block") == 0) {
        flags = 0;
    } else if (strcmp(policy, "overwrite") == 0) {
        flags = JIPC_TOPIC_FLAG_OVERWRITE;
    } else {
        fprintf(stderr, "policy %s: block or overwrite\n", policy);
        return 2;
    }
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        perror("shm_open");
        return 2;
    }
    size_t size = JIPC_TOPIC_SIZE(capacity);
    if (ftruncate(fd, (off_t) size) < 0) {
        perror("ftruncate");
        return 2;
    }
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    close(fd);
    int error = jipc_topic_create(base, size, capacity, max, flags);
    if (error != JIPC_TOPIC_OK) {
        fprintf(stderr, "create: %s\n", jipc_topic_strerror(error));
        shm_unlink(name);
        return 2;
    }
    printf("created\n");
    return 0;
}

/* Maps the POSIX shared memory object name and attaches to the topic in it: 0, or the exit status. */
static int attach(const char *name, jipc_topic *t) {
    int fd = shm_open(name, O_RDWR, 0);
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
    int error = jipc_topic_attach(t, base, (size_t) st.st_size);
    if (error != JIPC_TOPIC_OK) {
        fprintf(stderr, "attach: %s\n", jipc_topic_strerror(error));
        return 2;
    }
    return 0;
}

/* Publishes one message, waiting for room as asked: 0, or the exit status. */
static int send_one(jipc_topic_publisher *p, int spin, int32_t type, const unsigned char *payload, uint32_t length) {
    int sent;
    if (spin) {
        int64_t deadline = now_ns() + ROOM_TIMEOUT_NS;
        unsigned tries = 0;
        while ((sent = jipc_topic_publisher_offer(p, type, payload, length)) == 0) {
            __builtin_ia32_pause();
            if ((++tries & 0xFFFF) == 0 && now_ns() > deadline) {
                break;
            }
        }
    } else {
        sent = jipc_topic_publisher_put(p, type, payload, length, ROOM_TIMEOUT_NS);
    }
    if (sent < 0) {
        perror("jipc_topic_publisher_offer");
        return 2;
    }
    if (sent == 0) {
        fprintf(stderr, "no room for message %lld within 60 s\n", (long long) p->next);
        return 1;
    }
    return 0;
}

static int publish(int argc, char **argv) {
    const char *name = argv[2];
    uint64_t seed = strtoull(argv[3], NULL, 10);
    uint32_t max = (uint32_t) strtoul(argv[4], NULL, 10);
    int64_t count = strtoll(argv[5], NULL, 10);
    int spin = 0;
    int end = 0;
    int then_claim = 0;
    long pace_us = 0;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
            spin = strcmp(argv[++i], "spin") == 0;
        } else if (strcmp(argv[i], "--end") == 0) {
            end = 1;
        } else if (strcmp(argv[i], "--then-claim") == 0) {
            then_claim = 1;
        } else if (strcmp(argv[i], "--pace-us") == 0 && i + 1 < argc) {
            pace_us = strtol(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    jipc_topic t;
    int status = attach(name, &t);
    if (status != 0) {
        return status;
    }
    if (max > t.max_message_length) {
        fprintf(stderr, "max %u > the topic's %u\n", max, t.max_message_length);
        return 2;
    }
    unsigned char *buffer = malloc(max + 1);
    jipc_topic_publisher p;
    if (buffer == NULL || jipc_topic_publisher_open(&p, &t) < 0) {
        perror("jipc_topic_publisher_open");
        return 2;
    }
    printf("publishing from %lld\n", (long long) p.next);
    fflush(stdout);
    uint64_t sum = 0;
    for (int64_t i = 0; i < count; i++) {
        int64_t q = p.next;
        uint32_t length = message_fill(buffer, seed, q, max);
        sum += crc32c(buffer, length);
        status = send_one(&p, spin, message_type(q), buffer, length);
        if (status != 0) {
            return status;
        }
        if (pace_us > 0) {
            struct timespec ts = { pace_us / 1000000, (pace_us % 1000000) * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    if (end && (status = send_one(&p, spin, TOPIC_END_TYPE, buffer, 0)) != 0) {
        return status;
    }
    printf("published %lld next %lld sum %llu\n", (long long) count, (long long) p.next, (unsigned long long) sum);
    if (then_claim) {
        int64_t q = p.next;
        unsigned char *room;
        while ((room = jipc_topic_publisher_claim(&p, message_type(q), max)) == NULL && errno == EAGAIN) {
            jipc_topic_publisher_wait_room(&p, max, ROOM_TIMEOUT_NS);
        }
        if (room == NULL) {
            perror("jipc_topic_publisher_claim");
            return 2;
        }
        uint32_t length = message_fill(buffer, seed, q, max);
        memcpy(room, buffer, length / 2);
        printf("claimed %lld\n", (long long) q);
        fflush(stdout);
        for (;;) {
            pause();
        }
    }
    jipc_topic_publisher_close(&p);
    return 0;
}

int main(int argc, char **argv) {
    crc32c_init();
    if (argc == 6 && strcmp(argv[1], "create") == 0) {
        return create(argv[2], strtoll(argv[3], NULL, 10), (uint32_t) strtoul(argv[4], NULL, 10), argv[5]);
    }
    if (argc >= 6 && strcmp(argv[1], "publish") == 0) {
        return publish(argc, argv);
    }
    fprintf(stderr, "usage: %s create NAME CAPACITY MAX block|overwrite\n"
                    "       %s publish NAME SEED MAX COUNT [--wait spin|futex] [--end] [--pace-us N]\n",
            argv[0], argv[0]);
    return 2;
}
