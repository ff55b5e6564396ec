/*
 * A hostile peer of a jipc channel, for ChannelHostilePeerTest and ChannelHeaderForgeryTest. Shared memory is a
 * trust boundary: this program maps a live channel and writes what no correct peer writes.
 *
 *   hostile_peer attach NAME                     attach with the C twin (native/jipc_channel.c) and print
 *                                                "attach: CODE MESSAGE"; exit 0 if it attached, 3 if refused
 *   hostile_peer scribble NAME SEED MILLIS        for MILLIS ms, write random bytes (seeded) over the header's live
 *                                                fields (positions, pending head, wake words, producers-waiting
 *                                                set, role words and their display fields, producer slots) and the
 *                                                ring, about one write per 20 us; prints
 *                                                "scribbled N"
 *   hostile_peer lie NAME GOOD KIND              a lying producer: send GOOD honest messages (type 1, payload of 8
 *                                                bytes), then publish one impossible record at the tail; KIND is
 *                                                short (length 3), huge (0x7FFFFFF8), negative (-16, type 99),
 *                                                crossing (past the ring's end), type0 (type 0), type-7 (type -7).
 *                                                Prints "lie at POSITION"
 *
 * Exit 0 on success, 2 for a usage or system error, 3 when the C twin refused to attach.
 */
#include "jipc_channel.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned char *map_channel(const char *name, size_t *size) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) {
        perror("shm_open");
        exit(2);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        perror("fstat");
        exit(2);
    }
    *size = (size_t) st.st_size;
    void *base = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    close(fd);
    return base;
}

static uint64_t state;

static uint64_t next_random(void) {
    /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A value a hostile peer might like: small, negative, huge, near a power of two, or any. */
static uint64_t nasty_value(void) {
    switch (next_random() % 8) {
    case 0: return 0;
    case 1: return (uint64_t) -1;
    case 2: return next_random() % 64;
    case 3: return (uint64_t) -(int64_t) (next_random() % 64);
    case 4: return 0x7FFFFFFFFFFFFFFFULL - next_random() % 16;
    case 5: return 0x8000000000000000ULL + next_random() % 16;
    case 6: return 1ULL << (next_random() % 63);
    default: return next_random();
    }
}

static void write_word(unsigned char *at, int width, uint64_t value) {
    if (width == 8) {
        atomic_store_explicit((_Atomic uint64_t *) at, value, memory_order_relaxed);
    } else if (width == 4) {
        atomic_store_explicit((_Atomic uint32_t *) at, (uint32_t) value, memory_order_relaxed);
    } else {
        *(volatile unsigned char *) at = (unsigned char) value;
    }
}

static int scribble(const char *name, uint64_t seed, long long millis) {
    size_t size;
    unsigned char *base = map_channel(name, &size);
    uint64_t capacity;
    memcpy(&capacity, base + JIPC_CHANNEL_CAPACITY_OFFSET, 8);
    if (capacity == 0 || capacity > size - JIPC_CHANNEL_HEADER_LENGTH) {
        capacity = size - JIPC_CHANNEL_HEADER_LENGTH;
    }
    static const int fields[][2] = {
        {JIPC_CHANNEL_TAIL_OFFSET, 8}, {JIPC_CHANNEL_HEAD_OFFSET, 8}, {JIPC_CHANNEL_PENDING_HEAD_OFFSET, 8},
        {JIPC_CHANNEL_CONSUMER_WAKE_OFFSET, 4}, {JIPC_CHANNEL_CONSUMER_WAITING_OFFSET, 4},
        {JIPC_CHANNEL_PRODUCER_WAKE_OFFSET, 4}, {JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET, 8},
        {JIPC_CHANNEL_CONSUMER_PARTY_OFFSET, 8}, {JIPC_CHANNEL_CONSUMER_PID_OFFSET, 4},
        {JIPC_CHANNEL_CONSUMER_PID_NAMESPACE_OFFSET, 8}, {JIPC_CHANNEL_PRODUCER_PARTY_OFFSET, 8},
        {JIPC_CHANNEL_PRODUCER_PID_OFFSET, 4},
    };
    state = seed * 2 + 1;
    long long end = now_ms() + millis;
    long writes = 0;
    struct timespec pause = {0, 20000};
    while (now_ms() < end) {
        unsigned choice = (unsigned) (next_random() % 10);
        if (choice < 3) {
            const int *f = fields[next_random() % (sizeof fields / sizeof fields[0])];
            write_word(base + f[0], f[1], nasty_value());
        } else if (choice < 4) {
            unsigned slot = (unsigned) (next_random() % JIPC_CHANNEL_MAX_PRODUCER_SLOTS);
            unsigned char *s = base + JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET + slot * JIPC_CHANNEL_PRODUCER_SLOT_LENGTH;
            write_word(s + (next_random() % 2 ? JIPC_CHANNEL_SLOT_CLAIM_OFFSET : JIPC_CHANNEL_SLOT_PARTY_OFFSET), 8,
                       nasty_value());
        } else if (choice < 8) {
            /* a record header: length and type together or apart */
            size_t at = JIPC_CHANNEL_HEADER_LENGTH + ((next_random() % capacity) & ~(size_t) 7);
            write_word(base + at, next_random() % 2 ? 8 : 4, nasty_value());
        } else {
            size_t at = JIPC_CHANNEL_HEADER_LENGTH + next_random() % capacity;
            write_word(base + at, 1, next_random());
        }
        writes++;
        nanosleep(&pause, NULL);
    }
    printf("scribbled %ld\n", writes);
    return 0;
}

static int attach(const char *name) {
    size_t size;
    unsigned char *base = map_channel(name, &size);
    jipc_channel ch;
    int r = jipc_channel_attach(&ch, base, size);
    printf("attach: %d %s\n", r, jipc_channel_strerror(r));
    return r == JIPC_CHANNEL_OK ? 0 : 3;
}

static int lie(const char *name, long good, const char *kind) {
    size_t size;
    unsigned char *base = map_channel(name, &size);
    jipc_channel ch;
    int r = jipc_channel_attach(&ch, base, size);
    if (r != JIPC_CHANNEL_OK) {
        printf("attach: %d %s\n", r, jipc_channel_strerror(r));
        return 3;
    }
    unsigned char payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (long i = 0; i < good; i++) {
        if (jipc_channel_offer(&ch, 1, payload, sizeof payload) != 1) {
            fprintf(stderr, "offer %ld: full or failed\n", i);
            return 2;
        }
    }
    _Atomic uint64_t *tail_word = (_Atomic uint64_t *) (base + JIPC_CHANNEL_TAIL_OFFSET);
    uint64_t tail = atomic_load(tail_word);
    uint64_t index = tail & (ch.capacity - 1);
    int32_t length = 16;
    int32_t type = 1;
    if (strcmp(kind, "short") == 0) {
        length = 3;
    } else if (strcmp(kind, "huge") == 0) {
        length = 0x7FFFFFF8;
    } else if (strcmp(kind, "negative") == 0) {
        length = -16;
        type = 99;
    } else if (strcmp(kind, "crossing") == 0) {
        length = (int32_t) (ch.capacity - index + 8);
    } else if (strcmp(kind, "type0") == 0) {
        type = 0;
    } else if (strcmp(kind, "type-7") == 0) {
        type = -7;
    } else {
        fprintf(stderr, "unknown lie %s\n", kind);
        return 2;
    }
    unsigned char *record = ch.ring + index;
    memcpy(record + JIPC_RECORD_TYPE_OFFSET, &type, 4);
    atomic_store_explicit((_Atomic int32_t *) (record + JIPC_RECORD_LENGTH_OFFSET), length, memory_order_release);
    atomic_store_explicit(tail_word, tail + 16, memory_order_release);
    printf("lie at %llu\n", (unsigned long long) tail);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "attach") == 0) {
        return attach(argv[2]);
    }
    if (argc == 5 && strcmp(argv[1], "scribble") == 0) {
        return scribble(argv[2], strtoull(argv[3], NULL, 10), atoll(argv[4]));
    }
    if (argc == 5 && strcmp(argv[1], "lie") == 0) {
        return lie(argv[2], atol(argv[3]), argv[4]);
    }
    fprintf(stderr, "usage: hostile_peer attach NAME | scribble NAME SEED MILLIS | lie NAME GOOD KIND\n");
    return 2;
}
