/*
 * The messages of the topic tests, the same as jipc.topic.TopicMessages (Java test sources): message q of seed s has
 *   length  mix(s ^ (2q + 1)) % (max + 1)           (0 .. max bytes, unsigned remainder)
 *   type    (q & 0x3FFFFFFF) + 1                    (a receiver knows q modulo 2^30 even for an empty payload)
 *   bytes   8-byte little-endian words mix(s + 65537 q + w), the last partial word's low bytes first
 * so a lost, repeated, reordered or torn message fails the check. The end of a C stream (topic_pub --end) is a
 * message of type TOPIC_END_TYPE with no payload. q is the topic's own message sequence, so a publisher that takes
 * over after another one died goes on with the right messages. The CRC32C of the payloads, summed modulo 2^64, is
 * what the C peers print as their checksum.
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
    uint32_t length = (uint32_t) (mix(seed ^ (2 * (uint64_t) q + 1)) % ((uint64_t) max + 1));
    uint64_t base = seed + (uint64_t) q * 65537;
    uint32_t words = length / 8;
    for (uint32_t w = 0; w < words; w++) {
        uint64_t word = mix(base + w);
        memcpy(out + 8 * w, &word, 8); /* x86-64: little-endian */
    }
    uint64_t last = mix(base + words);
    for (uint32_t i = 8 * words; i < length; i++) {
        out[i] = (unsigned char) (last >> (8 * (i - 8 * words)));
    }
    return length;
}

#endif
