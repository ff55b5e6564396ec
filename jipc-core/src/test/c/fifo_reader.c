/*
 * An unrelated process reading a FIFO: open(PATH, O_RDONLY) (blocks until a writer opens it), read to EOF,
 * print "C reader got: <text>".
 *
 * usage: fifo_reader PATH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fifo_reader PATH\n");
        return 64;
    }
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "fifo_reader: open(%s): %s\n", argv[1], strerrorname_np(errno));
        return 2;
    }
    char buf[4096];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "fifo_reader: read: %s\n", strerrorname_np(errno));
            return 2;
        }
        if (n == 0 || (used += (size_t) n) == sizeof buf - 1) break;
    }
    buf[used] = '\0';
    close(fd);
    printf("C reader got: %s\n", buf);
    return 0;
}
