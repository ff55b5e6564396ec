/*
 * frame_sink: the C end of FrameStream. Attaches to the jipc channel NAME (POSIX shared memory that the Java side
 * created), takes the consumer role and receives frames until the end-of-stream message, checking each frame.
 *
 *   frame_sink NAME
 *
 * Frame (type 1): uint64 sequence number, uint32 payload length n, n bytes (uint8)(seq + i), all little-endian.
 * End of stream (type 2): uint64 number of frames sent. Exit 0 when every frame came whole and in order, 1 if not,
 * 2 for a usage or system error. Built by the examples' pom: gcc -std=gnu11 -O2 -I../native frame_sink.c
 * ../native/jipc_channel.c ../native/jipc_live.c
 */
#include "jipc_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FRAME 1
#define END 2

struct sink {
    uint64_t next;      /* the sequence number expected next */
    uint64_t bytes;
    int ended;
    uint64_t announced; /* the frame count the end-of-stream message announced */
    int bad;
};

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    struct sink *s = context;
    const unsigned char *p = payload;
    if (type == END && length == 8) {
        memcpy(&s->announced, p, 8);
        s->ended = 1;
        return;
    }
    uint64_t seq;
    uint32_t n;
    if (type != FRAME || length < 12) {
        fprintf(stderr, "frame_sink: unexpected message type=%d length=%u\n", type, length);
        s->bad = 1;
        return;
    }
    memcpy(&seq, p, 8);
    memcpy(&n, p + 8, 4);
    if (seq != s->next || n != length - 12) {
        fprintf(stderr, "frame_sink: frame seq=%llu n=%u, expected seq=%llu n=%u\n", (unsigned long long) seq, n,
                (unsigned long long) s->next, length - 12);
        s->bad = 1;
    }
    for (uint32_t i = 0; i < n && !s->bad; i++) {
        if (p[12 + i] != (unsigned char) (seq + i)) {
            fprintf(stderr, "frame_sink: frame %llu byte %u differs\n", (unsigned long long) seq, i);
            s->bad = 1;
        }
    }
    s->next = seq + 1;
    s->bytes += n;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: frame_sink NAME\n");
        return 2;
    }
    int fd = shm_open(argv[1], O_RDWR, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "frame_sink: shm_open/fstat(\"%s\"): %s\n", argv[1], strerror(errno));
        return 2;
    }
    void *base = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        fprintf(stderr, "frame_sink: mmap: %s\n", strerror(errno));
        return 2;
    }
    jipc_channel ch;
    int error = jipc_channel_attach(&ch, base, (size_t) st.st_size);
    if (error != JIPC_CHANNEL_OK) {
        fprintf(stderr, "frame_sink: attach: %s\n", jipc_channel_strerror(error));
        return 2;
    }
    if (jipc_channel_register_consumer(&ch) != 0) {
        fprintf(stderr, "frame_sink: register consumer: %s\n", strerror(errno));
        return 2;
    }
    struct sink s = {0};
    while (!s.ended && !s.bad) {
        /* Sleeps in the futex without using CPU; the Java producer wakes it only when it sleeps. */
        if (jipc_channel_wait_message(&ch, 10LL * 1000 * 1000 * 1000) == 0) {
            fprintf(stderr, "frame_sink: nothing for 10 s after frame %llu\n", (unsigned long long) s.next);
            return 1;
        }
        if (jipc_channel_poll(&ch, on_message, &s, 256) < 0) {
            fprintf(stderr, "frame_sink: poll: %s\n", strerror(errno));
            return 2;
        }
    }
    jipc_channel_unregister_consumer(&ch);
    munmap(base, (size_t) st.st_size);
    if (s.bad || s.announced != s.next) {
        fprintf(stderr, "frame_sink: %llu frames received, %llu announced\n", (unsigned long long) s.next,
                (unsigned long long) s.announced);
        return 1;
    }
    printf("frame_sink (C): %llu frames, %llu payload bytes, all whole and in order\n", (unsigned long long) s.next,
           (unsigned long long) s.bytes);
    return 0;
}
