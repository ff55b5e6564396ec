/*
 * Writes "p<i>" into descriptor 3 + i for i in [0, N): the C peer that feeds the pipes of ThousandVirtualThreadsTest.
 * Usage: write_fds N. Exit 0, or 2 if a write fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 0;
    for (int i = 0; i < n; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "p%d", i);
        if (write(3 + i, text, (size_t) len) != len) {
            fprintf(stderr, "write_fds: write(%d): %s\n", 3 + i, strerrorname_np(errno));
            return 2;
        }
    }
    return 0;
}
