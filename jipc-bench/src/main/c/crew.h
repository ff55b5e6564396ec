/*
 * crew.h: the member's half of the jipc.bench.Crew protocol, for the C peers of jipc bench (channel_bench.c,
 * channel_crew.c, topic_bench.c, rpc_bench.c, os_stream.c). CProgram copies it beside every program before gcc.
 *
 *   member -> harness   ready                          once attached (crew_ready)
 *   harness -> member   run COUNT                      one block (crew_next_block returns COUNT)
 *   member -> harness   done T0 T1 CPU COUNT LOST P50  the block (crew_done): CLOCK_MONOTONIC start and end (ns),
 *                                                      CLOCK_PROCESS_CPUTIME_ID over the block (ns), messages
 *                                                      handled and lost, the median round trip (ns; 0 where it does
 *                                                      not apply)
 *   harness -> member   quit (or end of file)          crew_next_block returns -1: exit 0
 *
 * Between blocks the member is blocked in read(2) on its stdin, so it takes no CPU from the side being measured.
 */
#ifndef JIPC_BENCH_CREW_H
#define JIPC_BENCH_CREW_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Says "ready" (once attached). */
static inline void crew_ready(void) {
    printf("ready\n");
    fflush(stdout);
}

/* The COUNT of the next "run COUNT" line on stdin, or -1 on "quit" or end of file; any other line: exit 2. */
static inline long crew_next_block(const char *program) {
    char line[128];
    if (fgets(line, sizeof line, stdin) == NULL || strncmp(line, "quit", 4) == 0) {
        return -1;
    }
    if (strncmp(line, "run ", 4) != 0) {
        fprintf(stderr, "%s: unknown command %s", program, line);
        exit(2);
    }
    return atol(line + 4);
}

/* Reports a block: "done T0 T1 CPU COUNT LOST P50". */
static inline void crew_done(int64_t t0, int64_t t1, int64_t cpu, int64_t count, int64_t lost, int64_t p50) {
    printf("done %lld %lld %lld %lld %lld %lld\n", (long long) t0, (long long) t1, (long long) cpu,
           (long long) count, (long long) lost, (long long) p50);
    fflush(stdout);
}

/*
 * Reads one byte of every 4 KiB page of a mapping made with MAP_POPULATE, as jipc's Mapping.populate() does for the
 * Java peers: in a virtual machine the first access to each page from this process costs tens of microseconds even
 * when its page-table entry exists (docs/benchmarks.md, "The first lap of a fresh ring"), and a measured block must
 * not pay it.
 */
static inline void crew_touch_pages(const void *base, size_t size) {
    const volatile unsigned char *bytes = base;
    unsigned char sink = 0;
    for (size_t offset = 0; offset < size; offset += 4096) {
        sink ^= bytes[offset];
    }
    (void) sink;
}

#endif
