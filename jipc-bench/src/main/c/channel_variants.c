/*
 * channel_variants: the C twin's spin round trip against variants of it, paired in one process pair (issue 16:
 * why the twins trailed Agrona at 8 B). Not part of `jipc bench`; ChannelVariantsSmokeTest compiles and runs it.
 *
 *   channel_variants SIZE BLOCKS COUNT [VARIANTS]
 *
 * One MAP_SHARED anonymous mapping, fork: side a (the parent, CPU 0) sends, side b (the child, CPU 1) echoes. Every
 * variant has its own pair of 1 MiB rings (a to b, b to a), laid out as the bench lays out its pairs. The variants
 * (the comma-separated indexes in VARIANTS, default all; the first is the reference) take turns block by block:
 * per block, 16 untimed round trips, then COUNT timed ones. Every message carries its sequence number in its first 8
 * bytes and both sides check it (abort on a gap, so a broken variant fails the run). The guest's TSC here advances
 * in 10 ns steps, so a round trip is timed as the mean of 8 in a row (rdtsc), and a block's figure is the median
 * of those means. Printed per variant: the median of its block figures, and the median (quartiles) of the per-block
 * ratios to the reference; then the median of single round trips by the record's offset in its cache line
 * (0/16/32/48: at 8 B four 16-byte records share a line, and at offset 48 the next record's header is in the next
 * line). Exit 0, or 1 on a failure (message on stderr), 2 on bad arguments.
 *
 * "mini" is a minimal loop speaking the channel format (docs/channel-format.md) with the twin's protocol: payload,
 * zero the length word after the record, type, length (release), tail (release), then the wake check (seq_cst fence,
 * load consumerWaiting); the consumer reads the 64-bit header, the sequence number, the next header (a poll drains:
 * it reads on until a zero length), then pendingHead, head (release) and the producers' wake check (fence, load
 * producersWaiting). "agrona" is Agrona 2.6's OneToOneRingBuffer algorithm re-implemented from its description
 * (tail released first, the next header zeroed, a negative length released, payload, type, length released; the
 * consumer drains as above and releases its head; no fences; counters in a trailer after the ring, the second ring
 * page-aligned after the first's trailer, as jipc.bench.channel.AgronaPeer lays them out).
 *
 * The copy (issue 16 at 4 KiB): glibc memcpy (rep movsb here from 2 112 bytes), copies that store as the JDK's
 * arraycopy stub does (Agrona's Unsafe.copyMemory and jipc's MemorySegment.copy; 64-byte AVX-512 stores from 4 KiB on,
 * 32-byte ones below, the destination first brought to the store width), and memcpy in 2 KiB pieces. ZERO_FIRST and
 * the Agrona-order flags move single steps of the producer: where the next header is zeroed, whether a negative
 * length goes first, where the tail is released. The AVX-512 copies fall back to memcpy on a CPU without AVX-512 BW/VL.
 */
#define _GNU_SOURCE
#include "jipc_channel.h"

#include <errno.h>
#include <immintrin.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define CAP (1L << 20)
#define SYNC 16
#define GROUP 8
#define MAX_BLOCKS 1000

enum {
    REAL_SEND = 1 << 0,     /* the real twin's producer: jipc_channel_offer */
    REAL_RECV = 1 << 1,     /* the real twin's consumer: jipc_channel_poll, jipc_channel_has_message while empty */
    POLL_ONE = 1 << 2,      /* real consumer: jipc_channel_poll with limit 1 (stops without reading the next header) */
    AGRONA = 1 << 3,        /* Agrona's producer order and layout, no fences */
    FENCE_P = 1 << 4,       /* producer: seq_cst fence and a load of consumerWaiting after each commit */
    FENCE_C = 1 << 5,       /* consumer: seq_cst fence and a load of producersWaiting after each head store */
    PENDING = 1 << 6,       /* consumer: store pendingHead before the head */
    TAIL = 1 << 7,          /* producer: release the tail after the record */
    DRAIN = 1 << 8,         /* consumer: read the next header before giving back */
    SPIN_HEAD = 1 << 9,     /* consumer spin: load the head word too, as jipc_channel_has_message */
    AGRONA_ORDER = 1 << 10, /* mini producer in Agrona's order: tail first, next length zeroed, -length, payload */
    ZERO_LATE = 1 << 11,    /* Agrona's order, but the next header zeroed after the payload, as the twins do */
    NO_NEG = 1 << 12,       /* Agrona's order without the negative length before the payload */
    TAIL_LATE = 1 << 13,    /* Agrona's order, but the tail released after the record, as the twins do */
    ZERO_FIRST = 1 << 14,   /* real producer: zero the length word after the record right after the claim, before
                             * the copy, as Agrona does (and jipc_channel_claim since issue 16; before, only commit
                             * zeroed it) */
    PREFETCH_LAST = 1 << 15, /* real producer: prefetchw the record's last line (the next length word's) before the
                              * copy instead */
};
#define MINI (FENCE_P | FENCE_C | PENDING | TAIL | DRAIN | SPIN_HEAD)
#define REAL (REAL_SEND | REAL_RECV)

/* How a producer copies the payload into the ring. */
enum copy {
    COPY_LIBC,    /* glibc memcpy (here rep movsb from 2 112 bytes on) */
    COPY_YMM,     /* as the JDK's arraycopy stub below AVX3Threshold (4 KiB): 32-byte stores, the destination first
                   * brought to a 32-byte boundary */
    COPY_ZMM,     /* as the JDK's stub from AVX3Threshold on (UseAVX=3): 64-byte stores, the destination first brought
                   * to a 64-byte boundary, so that every store fills one whole cache line */
    COPY_ZMM_ANY, /* 64-byte stores from the destination as it is (each store straddles two lines unless aligned) */
    COPY_PIECES,  /* glibc memcpy in pieces of at most 2 KiB (its vector loop, under its rep movsb threshold) */
    COPY_SSE,     /* a plain C loop of 64-byte chunks, which gcc -O2 compiles to 16-byte SSE2 loads and stores */
};

struct variant {
    const char *name;
    int flags;
    int align; /* record alignment of the mini loop: 8 as the format, 32 or 64 to give records lines of their own */
    enum copy copy;
};

static const struct variant VARIANTS[] = {
    { "real twin", REAL, 8, COPY_LIBC },
    { "mini twin", MINI, 8, COPY_LIBC },
    { "agrona in C", AGRONA | DRAIN, 8, COPY_LIBC },
    { "mini, no fences", MINI & ~(FENCE_P | FENCE_C), 8, COPY_LIBC },
    { "mini, no drain read", MINI & ~DRAIN, 8, COPY_LIBC },
    { "mini, no pendingHead", MINI & ~PENDING, 8, COPY_LIBC },
    { "mini, Agrona's order", MINI | AGRONA_ORDER, 8, COPY_LIBC },
    { "mini, 32 B records", MINI, 32, COPY_LIBC },
    { "mini, 64 B records", MINI, 64, COPY_LIBC },
    { "real, poll limit 1", REAL | POLL_ONE, 8, COPY_LIBC },
    { "real send, mini recv", REAL_SEND | MINI, 8, COPY_LIBC },
    { "mini send, real recv", REAL_RECV | MINI, 8, COPY_LIBC },
    { "agrona + twin fences", AGRONA | DRAIN | FENCE_P | FENCE_C, 8, COPY_LIBC },
    { "real, JDK zmm copy", REAL, 8, COPY_ZMM },
    { "real, JDK ymm copy", REAL, 8, COPY_YMM },
    { "real, zmm unaligned", REAL, 8, COPY_ZMM_ANY },
    { "agrona, JDK zmm copy", AGRONA | DRAIN, 8, COPY_ZMM },
    { "agrona, JDK ymm copy", AGRONA | DRAIN, 8, COPY_YMM },
    { "mini, JDK zmm copy", MINI, 8, COPY_ZMM },
    { "agrona zmm + fences", AGRONA | DRAIN | FENCE_P | FENCE_C, 8, COPY_ZMM },
    { "agrona zmm, zero late", AGRONA | DRAIN | ZERO_LATE, 8, COPY_ZMM },
    { "agrona zmm, no -length", AGRONA | DRAIN | NO_NEG, 8, COPY_ZMM },
    { "agrona zmm, tail late", AGRONA | DRAIN | TAIL_LATE, 8, COPY_ZMM },
    { "agrona zmm, twin order", AGRONA | DRAIN | ZERO_LATE | NO_NEG | TAIL_LATE, 8, COPY_ZMM },
    { "mini Agrona order, zmm", MINI | AGRONA_ORDER, 8, COPY_ZMM },
    { "real, zero first", REAL | ZERO_FIRST, 8, COPY_LIBC },
    { "real, zero first, zmm", REAL | ZERO_FIRST, 8, COPY_ZMM },
    { "real, zero first, ymm", REAL | ZERO_FIRST, 8, COPY_YMM },
    { "real, zero 1st, pieces", REAL | ZERO_FIRST, 8, COPY_PIECES },
    { "real, 2 KiB pieces", REAL, 8, COPY_PIECES },
    { "real twin (control)", REAL, 8, COPY_LIBC },
    { "real, prefetchw, zmm", REAL | PREFETCH_LAST, 8, COPY_ZMM },
    { "real, prefetchw, pieces", REAL | PREFETCH_LAST, 8, COPY_PIECES },
    { "real, zero first, sse", REAL | ZERO_FIRST, 8, COPY_SSE },
    { "real, sse", REAL, 8, COPY_SSE },
};
#define NV ((int) (sizeof VARIANTS / sizeof VARIANTS[0]))

#define A64(p) ((_Atomic uint64_t *) (void *) (p))
#define A32(p) ((_Atomic uint32_t *) (void *) (p))

static void fail(const char *what) {
    fprintf(stderr, "channel_variants: %s\n", what);
    exit(1);
}

/* Side a: the child's exit status once it has exited (-1 before), so that a failed side b ends side a too (it would
 * otherwise spin for ever waiting for an echo). */
static pid_t child;
static volatile sig_atomic_t child_status = -1;

static void on_child_exit(int signal) {
    (void) signal;
    int status;
    if (waitpid(child, &status, WNOHANG) == child) {
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        child_status = ok ? 0 : 1;
        if (!ok) {
            static const char message[] = "channel_variants: side b failed\n";
            ssize_t unused = write(2, message, sizeof message - 1);
            (void) unused;
            _exit(1);
        }
    }
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set); /* best effort: one CPU only leaves both sides on it */
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static int cmpd(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static uint64_t align_up(uint64_t n, uint64_t a) {
    return (n + a - 1) & ~(a - 1);
}

/* The JDK-like copies need AVX-512 (F, BW); without it they fall back to memcpy (avx512 = 0). */
static int avx512;

__attribute__((target("avx512f,avx512bw"))) static void copy_zmm(unsigned char *d, const unsigned char *s, size_t n,
                                                                int align_dst) {
    if (align_dst) {
        size_t head = (64 - ((uintptr_t) d & 63)) & 63;
        if (head > n) {
            head = n;
        }
        if (head != 0) { /* one masked store up to the line boundary, as the stub's head */
            __mmask64 k = (__mmask64) ((1ULL << head) - 1);
            _mm512_mask_storeu_epi8(d, k, _mm512_maskz_loadu_epi8(k, s));
            d += head;
            s += head;
            n -= head;
        }
    }
    for (; n >= 64; d += 64, s += 64, n -= 64) {
        _mm512_storeu_si512((void *) d, _mm512_loadu_si512((const void *) s));
    }
    if (n != 0) {
        __mmask64 k = (__mmask64) ((1ULL << n) - 1);
        _mm512_mask_storeu_epi8(d, k, _mm512_maskz_loadu_epi8(k, s));
    }
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) static void copy_ymm(unsigned char *d, const unsigned char *s,
                                                                         size_t n) {
    size_t head = (32 - ((uintptr_t) d & 31)) & 31;
    if (head > n) {
        head = n;
    }
    if (head != 0) {
        __mmask32 k = (__mmask32) ((1ULL << head) - 1);
        _mm256_mask_storeu_epi8(d, k, _mm256_maskz_loadu_epi8(k, s));
        d += head;
        s += head;
        n -= head;
    }
    for (; n >= 32; d += 32, s += 32, n -= 32) {
        _mm256_storeu_si256((__m256i *) d, _mm256_loadu_si256((const __m256i *) s));
    }
    if (n != 0) {
        __mmask32 k = (__mmask32) ((1ULL << n) - 1);
        _mm256_mask_storeu_epi8(d, k, _mm256_maskz_loadu_epi8(k, s));
    }
}

/* 64 bytes at a time, forward; not turned into a memcpy call (no loop distribution) */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static void copy_sse(unsigned char *d,
                                                                                  const unsigned char *s, size_t n) {
    for (; n >= 64; d += 64, s += 64, n -= 64) {
        __builtin_memcpy(d, s, 64);
    }
    for (; n >= 8; d += 8, s += 8, n -= 8) {
        __builtin_memcpy(d, s, 8);
    }
    for (; n > 0; d++, s++, n--) {
        *d = *s;
    }
}

static void copy_payload(enum copy c, void *d, const void *s, size_t n) {
    if (c == COPY_SSE) {
        copy_sse(d, s, n);
    } else if (c == COPY_PIECES) {
        for (size_t done = 0; done < n; done += 2048) {
            memcpy((unsigned char *) d + done, (const unsigned char *) s + done, n - done < 2048 ? n - done : 2048);
        }
    } else if (c == COPY_LIBC || !avx512) {
        memcpy(d, s, n);
    } else if (c == COPY_YMM) {
        copy_ymm(d, s, n);
    } else {
        copy_zmm(d, s, n, c == COPY_ZMM);
    }
}

/* One ring as the minimal loops see it. */
struct mini {
    enum copy copy;
    unsigned char *ring;
    unsigned char *tail, *head, *pending, *consumer_waiting, *producers_waiting;
    uint64_t tail_local, head_cache, head_local, align;
};

static void mini_init(struct mini *m, unsigned char *base, int agrona, uint64_t align) {
    memset(m, 0, sizeof *m);
    m->align = align;
    if (agrona) { /* ring, then the trailer: tail +128, head +384 (Agrona's head cache +256 is kept locally) */
        m->ring = base;
        m->tail = base + CAP + 128;
        m->head = base + CAP + 384;
        m->pending = base + CAP + 640;
        m->consumer_waiting = base + CAP + 516;
        m->producers_waiting = base + CAP + 520;
    } else {
        m->ring = base + JIPC_CHANNEL_HEADER_LENGTH;
        m->tail = base + JIPC_CHANNEL_TAIL_OFFSET;
        m->head = base + JIPC_CHANNEL_HEAD_OFFSET;
        m->pending = base + JIPC_CHANNEL_PENDING_HEAD_OFFSET;
        m->consumer_waiting = base + JIPC_CHANNEL_CONSUMER_WAITING_OFFSET;
        m->producers_waiting = base + JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET;
    }
}

/* The header word after the record: its length (Agrona: the whole 8-byte header) zeroed for the consumer's drain read. */
static void mini_zero_next(struct mini *m, int f, uint64_t next) {
    atomic_store_explicit(A32(m->ring + (next & (CAP - 1))), 0, memory_order_relaxed);
    if (f & AGRONA) {
        atomic_store_explicit(A32(m->ring + (next & (CAP - 1)) + 4), 0, memory_order_relaxed);
    }
}

static void mini_send(struct mini *m, int f, const void *payload, uint32_t n) {
    uint64_t space = align_up(8 + n, m->align);
    uint64_t tail = m->tail_local;
    uint64_t index = tail & (CAP - 1);
    uint64_t required = space > CAP - index ? CAP - index + space : space;
    while (required + 8 > CAP - (tail - m->head_cache)) {
        m->head_cache = atomic_load_explicit(A64(m->head), memory_order_acquire);
        if (required + 8 > CAP - (tail - m->head_cache)) {
            __builtin_ia32_pause();
        }
    }
    uint64_t r = required == space ? index : 0;
    uint64_t next = tail + required;
    int32_t type = 1, padding_type = -1;
    int agrona_order = (f & (AGRONA | AGRONA_ORDER)) != 0;
    int tail_first = agrona_order && !(f & TAIL_LATE);
    int zero_first = agrona_order && !(f & ZERO_LATE);
    if (tail_first) {
        atomic_store_explicit(A64(m->tail), next, memory_order_release);
    }
    if (zero_first) {
        mini_zero_next(m, f, next);
    }
    if (agrona_order && !(f & NO_NEG)) {
        atomic_store_explicit(A32(m->ring + r), (uint32_t) -(int32_t) (8 + n), memory_order_release);
    }
    copy_payload(m->copy, m->ring + r + 8, payload, n);
    if (!zero_first) {
        mini_zero_next(m, f, next);
    }
    memcpy(m->ring + r + 4, &type, 4);
    atomic_store_explicit(A32(m->ring + r), 8 + n, memory_order_release);
    if (required != space) {
        memcpy(m->ring + index + 4, &padding_type, 4);
        atomic_store_explicit(A32(m->ring + index), (uint32_t) (required - space), memory_order_release);
    }
    if (!tail_first && (f & (TAIL | AGRONA))) {
        atomic_store_explicit(A64(m->tail), next, memory_order_release);
    }
    m->tail_local = next;
    if (f & FENCE_P) {
        atomic_thread_fence(memory_order_seq_cst);
        if (atomic_load_explicit(A32(m->consumer_waiting), memory_order_relaxed) != 0) {
            fail("consumerWaiting set");
        }
    }
}

/* Spins until a record is there and takes it; with DRAIN reads on to the next zero length, as a poll does. */
static int64_t mini_recv(struct mini *m, int f) {
    uint64_t head = m->head_local;
    int64_t seq = -1;
    for (;;) {
        if (f & SPIN_HEAD) {
            (void) atomic_load_explicit(A64(m->head), memory_order_acquire);
        }
        uint64_t index = head & (CAP - 1);
        uint64_t h = atomic_load_explicit(A64(m->ring + index), memory_order_acquire);
        int32_t length = (int32_t) h;
        if (length <= 0) {
            if (seq >= 0) {
                break;
            }
            __builtin_ia32_pause();
            continue;
        }
        head += align_up((uint32_t) length, m->align);
        if ((int32_t) (h >> 32) == -1) {
            continue;
        }
        memcpy(&seq, m->ring + index + 8, 8);
        if (!(f & DRAIN)) {
            break;
        }
    }
    if (f & PENDING) {
        atomic_store_explicit(A64(m->pending), head, memory_order_relaxed);
    }
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(A64(m->head), head, memory_order_release);
    m->head_local = head;
    if (f & FENCE_C) {
        atomic_thread_fence(memory_order_seq_cst);
        if (atomic_load_explicit(A64(m->producers_waiting), memory_order_relaxed) != 0) {
            fail("producersWaiting set");
        }
    }
    return seq;
}

struct received {
    int64_t seq;
};

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    (void) type;
    (void) length;
    memcpy(&((struct received *) context)->seq, payload, 8);
}

/* As channel_bench's spin strategy; with a copy of its own, jipc_channel_offer's steps: claim, copy, commit. */
static void real_send(jipc_channel *ch, int f, enum copy copy, const void *payload, uint32_t n) {
    if (copy == COPY_LIBC && !(f & (ZERO_FIRST | PREFETCH_LAST))) {
        int sent;
        while ((sent = jipc_channel_offer(ch, 1, payload, n)) == 0) {
            __builtin_ia32_pause();
        }
        if (sent < 0) {
            fail("jipc_channel_offer failed");
        }
        return;
    }
    void *to;
    while ((to = jipc_channel_claim(ch, 1, n)) == NULL) {
        if (errno != 0) {
            fail("jipc_channel_claim failed");
        }
        __builtin_ia32_pause();
    }
    if (f & ZERO_FIRST) { /* the claim reserved this word (see has_room in jipc_channel.c) */
        atomic_store_explicit(A32(ch->ring + ((ch->claim_tail + ch->claim_required) & ch->mask)), 0,
                              memory_order_relaxed);
    }
    if (f & PREFETCH_LAST) {
        __asm__ volatile("prefetchw %0" : : "m"(*(ch->ring + ((ch->claim_tail + ch->claim_required) & ch->mask))));
    }
    copy_payload(copy, to, payload, n);
    if (jipc_channel_commit(ch) != 0) {
        fail("jipc_channel_commit failed");
    }
}

static int64_t real_recv(jipc_channel *ch, int f) {
    struct received r = { -1 };
    for (;;) {
        int n = jipc_channel_poll(ch, on_message, &r, (f & POLL_ONE) ? 1 : INT_MAX);
        if (n > 0) {
            return r.seq;
        }
        if (n < 0) {
            fail("jipc_channel_poll failed");
        }
        while (!jipc_channel_has_message(ch)) {
            __builtin_ia32_pause();
        }
    }
}

struct side {
    struct mini ab, ba;
    jipc_channel rab, rba;
};

static int64_t median_groups[MAX_BLOCKS]; /* scratch */

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: channel_variants SIZE BLOCKS COUNT [VARIANTS]\n");
        for (int i = 0; i < NV; i++) {
            fprintf(stderr, "  %2d %s\n", i, VARIANTS[i].name);
        }
        return 2;
    }
    long size = atol(argv[1]), blocks = atol(argv[2]), count = atol(argv[3]);
    if (size < 8 || size > 65536 || blocks < 1 || blocks > MAX_BLOCKS || count < GROUP) {
        fprintf(stderr, "channel_variants: SIZE 8..65536, BLOCKS 1..%d, COUNT >= %d\n", MAX_BLOCKS, GROUP);
        return 2;
    }
    count -= count % GROUP;
    __builtin_cpu_init();
    avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl");
    int use[NV], nuse = 0;
    if (argc == 5) {
        char *list = strdup(argv[4]);
        for (char *t = strtok(list, ","); t != NULL; t = strtok(NULL, ",")) {
            int i = atoi(t);
            if (i < 0 || i >= NV || nuse == NV) {
                fprintf(stderr, "channel_variants: no variant %s\n", t);
                return 2;
            }
            use[nuse++] = i;
        }
    } else {
        for (int i = 0; i < NV; i++) {
            use[nuse++] = i;
        }
    }
    /* each variant: two rings, the second right after the first (jipc: header + ring; Agrona: ring + trailer,
     * page-aligned) */
    size_t pair_bytes = 2 * (JIPC_CHANNEL_HEADER_LENGTH + CAP);
    unsigned char *base = mmap(NULL, pair_bytes * NV, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        fail("mmap failed");
    }
    static struct side sides[NV];
    for (int i = 0; i < NV; i++) {
        unsigned char *b0 = base + pair_bytes * i;
        unsigned char *b1 = b0 + JIPC_CHANNEL_HEADER_LENGTH + CAP; /* both layouts: CAP + 4096 */
        int f = VARIANTS[i].flags;
        mini_init(&sides[i].ab, b0, f & AGRONA, VARIANTS[i].align);
        mini_init(&sides[i].ba, b1, f & AGRONA, VARIANTS[i].align);
        sides[i].ab.copy = sides[i].ba.copy = VARIANTS[i].copy;
        if (f & REAL) {
            /* a mini end on a real channel speaks the same format: headers are needed by the real end only */
            if (jipc_channel_create(&sides[i].rab, b0, JIPC_CHANNEL_HEADER_LENGTH + CAP, CAP, CAP / 8 - 8, 0) != 0
                    || jipc_channel_create(&sides[i].rba, b1, JIPC_CHANNEL_HEADER_LENGTH + CAP, CAP, CAP / 8 - 8, 0)
                    != 0) {
                fail("jipc_channel_create failed");
            }
        }
    }
    unsigned char *payload = calloc(1, (size_t) size);
    int64_t *groups = malloc(sizeof(int64_t) * (size_t) (count / GROUP));
    int64_t *phase[NV][4];
    long phases[NV][4];
    static int64_t block_figure[NV][MAX_BLOCKS];
    memset(phases, 0, sizeof phases);
    for (int i = 0; i < NV; i++) {
        for (int q = 0; q < 4; q++) {
            phase[i][q] = malloc(sizeof(int64_t) * (size_t) (count * blocks / 4 + 8));
        }
    }
    if (payload == NULL || groups == NULL) {
        fail("out of memory");
    }
    int64_t tick0 = (int64_t) __rdtsc(), ns0 = now_ns();
    usleep(50000);
    double ns_per_tick = (double) (now_ns() - ns0) / (double) ((int64_t) __rdtsc() - tick0);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_child_exit;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    pid_t parent = getpid();
    child = fork();
    if (child < 0) {
        fail("fork failed");
    }
    int side_a = child != 0;
    if (!side_a && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)) {
        _exit(1); /* side a gone: nobody would send */
    }
    pin(side_a ? 0 : 1);
    int64_t seq = 0;
    long trips[NV] = { 0 };
    for (long b = -3; b < blocks; b++) { /* three untimed blocks first */
        for (int u = 0; u < nuse; u++) {
            int i = use[u], f = VARIANTS[i].flags;
            struct side *s = &sides[i];
            long ng = 0;
            int64_t g0 = 0;
            for (long k = 0; k < count + SYNC; k++, seq++) {
                if (side_a) {
                    int64_t t0 = (int64_t) __rdtsc();
                    if (k >= SYNC && (k - SYNC) % GROUP == 0) {
                        g0 = t0;
                    }
                    memcpy(payload, &seq, 8);
                    if (f & REAL_SEND) {
                        real_send(&s->rab, f, VARIANTS[i].copy, payload, (uint32_t) size);
                    } else {
                        mini_send(&s->ab, f, payload, (uint32_t) size);
                    }
                    int64_t echo = (f & REAL_RECV) ? real_recv(&s->rba, f) : mini_recv(&s->ba, f);
                    int64_t t1 = (int64_t) __rdtsc();
                    if (echo != seq) {
                        fail("echo out of sequence");
                    }
                    /* the record's offset in its line, by its ring position (records of one size) */
                    int q = (int) ((trips[i]++ * (int64_t) align_up(8 + size, VARIANTS[i].align)) % 64 / 16);
                    if (k >= SYNC && b >= 0) {
                        phase[i][q][phases[i][q]++] = (int64_t) ((double) (t1 - t0) * ns_per_tick);
                    }
                    if (k >= SYNC && (k - SYNC) % GROUP == GROUP - 1) {
                        groups[ng++] = (int64_t) ((double) (t1 - g0) * ns_per_tick * 10 / GROUP);
                    }
                } else {
                    int64_t got = (f & REAL_RECV) ? real_recv(&s->rab, f) : mini_recv(&s->ab, f);
                    if (got != seq) {
                        fail("message out of sequence");
                    }
                    memcpy(payload, &got, 8);
                    if (f & REAL_SEND) {
                        real_send(&s->rba, f, VARIANTS[i].copy, payload, (uint32_t) size);
                    } else {
                        mini_send(&s->ba, f, payload, (uint32_t) size);
                    }
                }
            }
            if (side_a && b >= 0) {
                qsort(groups, (size_t) ng, sizeof groups[0], cmp64);
                block_figure[i][b] = groups[ng / 2]; /* tenths of ns */
            }
        }
    }
    if (!side_a) {
        return 0;
    }
    int status;
    while (child_status < 0) {
        if (waitpid(child, &status, 0) == child) {
            child_status = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
        }
    }
    if (child_status != 0) {
        fail("side b failed");
    }
    printf("size %ld, %ld blocks of %ld round trips per variant, reference: %s\n", size, blocks, count,
           VARIANTS[use[0]].name);
    for (int u = 0; u < nuse; u++) {
        int i = use[u];
        double ratio[MAX_BLOCKS];
        for (long b = 0; b < blocks; b++) {
            median_groups[b] = block_figure[i][b];
            ratio[b] = (double) block_figure[i][b] / (double) block_figure[use[0]][b];
        }
        qsort(median_groups, (size_t) blocks, sizeof median_groups[0], cmp64);
        qsort(ratio, (size_t) blocks, sizeof ratio[0], cmpd);
        printf("%2d %-22s p50 %7.1f ns  ratio %.3f (quartiles %.3f-%.3f)  by offset in line 0/16/32/48:", i,
               VARIANTS[i].name, median_groups[blocks / 2] / 10.0, ratio[blocks / 2], ratio[blocks / 4],
               ratio[3 * blocks / 4]);
        for (int q = 0; q < 4; q++) {
            if (phases[i][q] == 0) {
                printf(" -");
                continue;
            }
            qsort(phase[i][q], (size_t) phases[i][q], sizeof(int64_t), cmp64);
            printf(" %lld", (long long) phase[i][q][phases[i][q] / 2]);
        }
        printf("\n");
    }
    return 0;
}
