/*
 * One of several writers sharing a pipe at fd 3: writes COUNT records of exactly 4096 bytes (PIPE_BUF), each with
 * one write(2). A record is: int32 writer id, int32 sequence number (0, 1, 2...), then 4088 bytes all equal to
 * (id * 31 + sequence) & 0xFF, so a reader can tell a whole record from a torn or interleaved one.
 *
 * usage: record_writer ID COUNT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD 4096

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: record_writer ID COUNT\n");
        return 64;
    }
    int32_t id = (int32_t) atoi(argv[1]);
    int count = atoi(argv[2]);
    unsigned char record[RECORD];
    for (int32_t seq = 0; seq < count; seq++) {
        memcpy(record, &id, 4);
        memcpy(record + 4, &seq, 4);
        memset(record + 8, (id * 31 + seq) & 0xFF, RECORD - 8);
        ssize_t n;
        do {
            n = write(3, record, RECORD);
        } while (n < 0 && errno == EINTR);
        if (n != RECORD) {
            fprintf(stderr, "record_writer %d: write returned %zd (%s)\n", id, n, n < 0 ? strerrorname_np(errno) : "short");
            return 2;
        }
    }
    return 0;
}
