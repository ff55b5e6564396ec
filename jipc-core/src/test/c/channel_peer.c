/*
 * One end of a jipc channel in C, built from native/jipc_channel.c, for ChannelCTest.
 *
 *   channel_peer produce NAME SEED MAX FIRST COUNT   attach to the POSIX shm channel NAME and send messages (taking
 *                                                    the producer role on the first offer, giving it back at the end)
 *   channel_peer consume NAME SEED MAX FIRST COUNT   register as consumer and receive them, checking each; give the
 *                                                    consumer role back at the end
 *   channel_peer produce-many NAME SEED MAX P COUNT  many-producer channel: send producer P's messages 0..COUNT-1
 *                                                    (seed SEED + P, type P + 1, as ManyProducerChild does)
 *   channel_peer consume-many NAME SEED MAX N0,N1,.. receive N0 messages of producer 0, N1 of producer 1, ..., each
 *                                                    producer's in its own order, and nothing more
 *
 * Messages are those of jipc.channel.Messages (test sources): length 1 + mix(seed + 2 seq) % max, type
 * (seq & 0x3FFFFFFF) + 1, bytes (uint8)(mix(seed + 2 seq + 1) + 31 i), and when length >= 12 the sequence number in
 * the first 8 bytes and the CRC32C of the bytes before the last 4 in the last 4 (little-endian).
 * Exit 0 on success; 1 with a message on stderr for a defect; 2 for a usage or system error.
 */
#include "jipc_channel.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t mix(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t crc_table[256];

static void crc32c_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        }
        crc_table[n] = crc;
    }
}

/* CRC32C (Castagnoli, reflected, as java.util.zip.CRC32C) */
static uint32_t crc32c(const unsigned char *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}

static uint32_t fill(unsigned char *out, uint64_t seed, uint64_t seq, uint32_t max) {
    uint32_t length = 1 + (uint32_t) (mix(seed + 2 * seq) % max);
    uint64_t h = mix(seed + 2 * seq + 1);
    for (uint32_t i = 0; i < length; i++) {
        out[i] = (unsigned char) (h + (uint64_t) i * 31);
    }
    if (length >= 12) {
        memcpy(out, &seq, 8);
        uint32_t crc = crc32c(out, length - 4);
        memcpy(out + length - 4, &crc, 4);
    }
    return length;
}

static int32_t type_of(uint64_t seq) {
    return (int32_t) (seq & 0x3FFFFFFF) + 1;
}

struct receiver {
    uint64_t seed, next, end;
    uint32_t max;
    unsigned char *scratch;
};

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct receiver *r = context;
    uint64_t seq = r->next;
    if (seq >= r->end) {
        fprintf(stderr, "message beyond the last one (%llu)\n", (unsigned long long) r->end);
        exit(1);
    }
    if (type != type_of(seq)) {
        fprintf(stderr, "message %llu: type %d, expected %d\n", (unsigned long long) seq, type, type_of(seq));
        exit(1);
    }
    uint32_t expected = fill(r->scratch, r->seed, seq, r->max);
    if (length != expected) {
        fprintf(stderr, "message %llu: length %u, expected %u\n", (unsigned long long) seq, length, expected);
        exit(1);
    }
    if (length >= 12) {
        uint32_t carried;
        memcpy(&carried, (const unsigned char *) payload + length - 4, 4);
        if (crc32c(payload, length - 4) != carried) {
            fprintf(stderr, "message %llu: CRC32C mismatch (torn)\n", (unsigned long long) seq);
            exit(1);
        }
    }
    if (memcmp(payload, r->scratch, length) != 0) {
        fprintf(stderr, "message %llu: content differs\n", (unsigned long long) seq);
        exit(1);
    }
    r->next++;
}

/* Offers one message, waiting up to 60 s for room: 0, or the exit status (1 no room in time, 2 an error). */
static int send_message(jipc_channel *ch, int32_t type, const unsigned char *buffer, uint32_t length, uint64_t seq) {
    int sent;
    while ((sent = jipc_channel_offer(ch, type, buffer, length)) == 0) {
        if (jipc_channel_wait_room(ch, length, 60000000000LL) == 0) {
            fprintf(stderr, "no room for message %llu within 60 s\n", (unsigned long long) seq);
            return 1;
        }
    }
    if (sent < 0) {
        perror("jipc_channel_offer");
        return 2;
    }
    return 0;
}

#define MAX_PRODUCERS 16

/* Many producers: producer p's messages are those of seed + p with type p + 1. */
struct many_receiver {
    uint64_t seed;
    uint32_t max;
    int producers;
    uint64_t next[MAX_PRODUCERS], end[MAX_PRODUCERS];
    unsigned char *scratch;
};

static void on_many_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct many_receiver *r = context;
    int p = type - 1;
    if (p < 0 || p >= r->producers) {
        fprintf(stderr, "type %d names no producer\n", type);
        exit(1);
    }
    uint64_t seq = r->next[p];
    if (seq >= r->end[p]) {
        fprintf(stderr, "producer %d: message beyond the last one (%llu)\n", p, (unsigned long long) r->end[p]);
        exit(1);
    }
    uint32_t expected = fill(r->scratch, r->seed + p, seq, r->max);
    if (length != expected || memcmp(payload, r->scratch, length) != 0) {
        fprintf(stderr, "producer %d message %llu: length %u (expected %u) or content differs (torn?)\n", p,
                (unsigned long long) seq, length, expected);
        exit(1);
    }
    r->next[p]++;
}

static int received_all(const struct many_receiver *r) {
    for (int p = 0; p < r->producers; p++) {
        if (r->next[p] < r->end[p]) {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv) {
    int many = argc >= 2 && strstr(argv[1], "-many") != NULL;
    if (argc != (many && strcmp(argv[1], "consume-many") == 0 ? 6 : 7)) {
        fprintf(stderr, "usage: %s produce|produce-batch|consume NAME SEED MAX FIRST COUNT\n"
                        "       %s produce-many NAME SEED MAX P COUNT\n"
                        "       %s consume-many NAME SEED MAX N0,N1,...\n", argv[0], argv[0], argv[0]);
        return 2;
    }
    crc32c_init();
    const char *mode = argv[1];
    uint64_t seed = strtoull(argv[3], NULL, 10);
    uint32_t max = (uint32_t) strtoul(argv[4], NULL, 10);
    uint64_t first = argc == 7 ? strtoull(argv[5], NULL, 10) : 0;
    uint64_t count = argc == 7 ? strtoull(argv[6], NULL, 10) : 0;

    int fd = shm_open(argv[2], O_RDWR, 0);
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
    jipc_channel ch;
    int error = jipc_channel_attach(&ch, base, (size_t) st.st_size);
    if (error != JIPC_CHANNEL_OK) {
        fprintf(stderr, "attach: %s\n", jipc_channel_strerror(error));
        return 2;
    }
    unsigned char *buffer = malloc(max);
    if (buffer == NULL || max > ch.max_message_length) {
        fprintf(stderr, "max %u > channel's %u\n", max, ch.max_message_length);
        return 2;
    }
    if (strcmp(mode, "produce-batch") == 0) {
        /* batches of 64: one wake-up check per batch (jipc_channel_begin_batch); wait_room makes it before sleeping */
        for (uint64_t seq = first; seq < first + count; seq++) {
            if ((seq - first) % 64 == 0) {
                jipc_channel_end_batch(&ch);
                jipc_channel_begin_batch(&ch);
            }
            int status = send_message(&ch, type_of(seq), buffer, fill(buffer, seed, seq, max), seq);
            if (status != 0) {
                return status;
            }
        }
        jipc_channel_end_batch(&ch);
        jipc_channel_detach_producer(&ch);
        return 0;
    }
    if (strcmp(mode, "produce") == 0) {
        for (uint64_t seq = first; seq < first + count; seq++) {
            int status = send_message(&ch, type_of(seq), buffer, fill(buffer, seed, seq, max), seq);
            if (status != 0) {
                return status;
            }
        }
        jipc_channel_detach_producer(&ch);
        return 0;
    }
    if (strcmp(mode, "produce-many") == 0) {
        uint64_t p = first;
        for (uint64_t seq = 0; seq < count; seq++) {
            int status = send_message(&ch, (int32_t) p + 1, buffer, fill(buffer, seed + p, seq, max), seq);
            if (status != 0) {
                return status;
            }
        }
        jipc_channel_detach_producer(&ch);
        return 0;
    }
    if (strcmp(mode, "consume-many") == 0) {
        struct many_receiver r;
        memset(&r, 0, sizeof r);
        r.seed = seed;
        r.max = max;
        r.scratch = buffer;
        for (char *n = strtok(argv[5], ","); n != NULL && r.producers < MAX_PRODUCERS; n = strtok(NULL, ",")) {
            r.end[r.producers++] = strtoull(n, NULL, 10);
        }
        if (jipc_channel_register_consumer(&ch) < 0) {
            perror("register consumer");
            return 2;
        }
        printf("registered\n");
        fflush(stdout);
        while (!received_all(&r)) {
            int n = jipc_channel_poll(&ch, on_many_message, &r, INT32_MAX);
            if (n < 0) {
                perror("jipc_channel_poll");
                return 1;
            }
            if (n == 0 && jipc_channel_wait_message(&ch, 60000000000LL) == 0) {
                fprintf(stderr, "no message within 60 s\n");
                return 1;
            }
        }
        if (jipc_channel_poll(&ch, on_many_message, &r, INT32_MAX) != 0) {
            fprintf(stderr, "more messages than expected\n");
            return 1;
        }
        jipc_channel_unregister_consumer(&ch);
        printf("received all\n");
        return 0;
    }
    if (strcmp(mode, "consume") == 0) {
        if (jipc_channel_register_consumer(&ch) < 0) {
            perror("register consumer");
            return 2;
        }
        struct receiver r = { seed, first, first + count, max, buffer };
        while (r.next < r.end) {
            int n = jipc_channel_poll(&ch, on_message, &r, INT32_MAX);
            if (n < 0) {
                perror("jipc_channel_poll");
                return 1;
            }
            if (n == 0 && jipc_channel_wait_message(&ch, 60000000000LL) == 0) {
                fprintf(stderr, "no message within 60 s after %llu\n", (unsigned long long) (r.next - first));
                return 1;
            }
        }
        if (jipc_channel_poll(&ch, on_message, &r, INT32_MAX) != 0) {
            fprintf(stderr, "more messages than expected\n");
            return 1;
        }
        jipc_channel_unregister_consumer(&ch);
        printf("received %llu\n", (unsigned long long) count);
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
