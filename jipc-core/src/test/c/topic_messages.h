/*
 * The messages of the topic tests (topic_pub.c, topic_sub.c; jipc.topic.TopicMessages in the Java test sources says
 * the same): message q of seed s has
 *   length  mix(s + 2q) % (max + 1)                (0 .. max bytes)
 *   type    (q & 0x3FFFFFFF) + 1                   (so a receiver knows q modulo 2^30 even for short payloads)
 *   bytes   (uint8)(mix(s + 2q + 1) + 31 i), and when length >= 12 the sequence number q in the first 8 bytes and
 *           the CRC32C of the bytes before the last 4 in the last 4 (little-endian)
 * and the end of a stream is a message of type TOPIC_END_TYPE with no payload. q is the topic's own message
 * sequence, so a publisher that takes over after another one died goes on with the right messages.
 */
#ifndef TOPIC_MESSAGES_H
#define TOPIC_MESSAGES_H

#include <stdint.h>
#include <string.h>

#define TOPIC_END_TYPE 0x40000001
#define TOPIC_TYPE_MASK 0x3FFFFFFFLL

static inline uint64_t mix(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t crc_table[256];

static inline void crc32c_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        }
        crc_table[n] = crc;
    }
}

/* CRC32C (Castagnoli, reflected, as java.util.zip.CRC32C) */
static inline uint32_t crc32c(const unsigned char *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}

static inline int32_t message_type(int64_t q) {
    return (int32_t) (q & TOPIC_TYPE_MASK) + 1;
}

/* Writes message q into out (max bytes of room) and returns its length. */
static inline uint32_t message_fill(unsigned char *out, uint64_t seed, int64_t q, uint32_t max) {
    uint32_t length = (uint32_t) (mix(seed + 2 * (uint64_t) q) % ((uint64_t) max + 1));
    uint64_t h = mix(seed + 2 * (uint64_t) q + 1);
    for (uint32_t i = 0; i < length; i++) {
        out[i] = (unsigned char) (h + (uint64_t) i * 31);
    }
    if (length >= 12) {
        memcpy(out, &q, 8);
        uint32_t crc = crc32c(out, length - 4);
        memcpy(out + length - 4, &crc, 4);
    }
    return length;
}

#endif
