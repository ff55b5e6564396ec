/*
 * An echo child for a duplex: copies everything from fd 3 to fd 4 until EOF on fd 3, then exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char buf[8192];
    for (;;) {
        ssize_t n = read(3, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "echo_fds: read(3): %s\n", strerrorname_np(errno));
            return 2;
        }
        if (n == 0) return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(4, buf + off, (size_t) (n - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                fprintf(stderr, "echo_fds: write(4): %s\n", strerrorname_np(errno));
                return 2;
            }
            off += w;
        }
    }
}
