/*
 * The child side of the classic pipe demo, in C: read the pipe that the parent placed at fd 3 until EOF (every
 * writer closed), then print what arrived. Exit 0 on success, 2 if fd 3 is not open or a read fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char buf[65536];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(3, buf + used, sizeof buf - 1 - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "fd3_reader: read(3): %s\n", strerrorname_np(errno));
            return 2;
        }
        if (n == 0) break;
        used += (size_t) n;
        if (used == sizeof buf - 1) break;
    }
    buf[used] = '\0';
    close(3);
    printf("Child received: %s\n", buf);
    return 0;
}
