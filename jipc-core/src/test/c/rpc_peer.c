/*
 * One end of a jipc rpc object in C, built from native/jipc_rpc.c and jipc_channel.c, for RpcCTest.
 *
 *   rpc_peer serve NAME COUNT            the service: answers COUNT requests, then exits printing "handled COUNT".
 *                                        Type 2 never gets an answer (the handler pauses for good: for crash tests);
 *                                        any other request is answered with the same type and each byte plus 1.
 *   rpc_peer call NAME SEED COUNT        a client: COUNT calls with request i of length mix(SEED + i) % (max + 1),
 *                                        byte j = (uint8) (mix(SEED + i) + 7 j), type 1 + i % 7; checks each response
 *                                        (same type, same length, every byte plus 1); prints "called COUNT".
 *   rpc_peer create-serve NAME COUNT     creates NAME first (jipc_rpc_create: 3 client slots, a 64 KiB request ring,
 *                                        16 KiB response rings, mode 0600), prints "created", then serves as above.
 *                                        A failed create prints "jipc_rpc_create(NAME) failed: CALL: ERROR", exit 2.
 *
 * Prints "serving" / "client SLOT" once it holds its role. Exit 0 on success; 1 with a message for a defect (or a
 * failed call: the errno is printed); 2 for a usage or system error.
 */
#include "jipc_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t mix(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int64_t plus_one(void *context, int32_t type, const void *request, uint32_t length, int32_t *response_type,
                        void *response, uint32_t response_max) {
    (void) context;
    if (type == 2) {
        printf("got\n");
        fflush(stdout);
        for (;;) {
            pause();
        }
    }
    if (length > response_max) {
        const char *message = "request longer than the largest response";
        memcpy(response, message, strlen(message));
        return -1 - (int64_t) strlen(message);
    }
    const unsigned char *in = request;
    unsigned char *out = response;
    for (uint32_t i = 0; i < length; i++) {
        out[i] = (unsigned char) (in[i] + 1);
    }
    *response_type = type;
    return length;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: rpc_peer serve NAME COUNT | call NAME SEED COUNT\n");
        return 2;
    }
    jipc_rpc rpc;
    const char *field = NULL;
    if (strcmp(argv[1], "create-serve") == 0) {
        if (jipc_rpc_create(&rpc, argv[2], 3, 65536, 16384, 0600, &field) < 0) {
            fprintf(stderr, "jipc_rpc_create(%s) failed: %s: %s\n", argv[2], field ? field : "?", strerror(errno));
            return 2;
        }
        printf("created\n");
        fflush(stdout);
        argv[1] = "serve";
    } else if (jipc_rpc_open(&rpc, argv[2], &field) < 0) {
        fprintf(stderr, "jipc_rpc_open(%s) failed: %s%s%s\n", argv[2], strerror(errno), field ? ", field " : "",
                field ? field : "");
        return 2;
    }
    int status = 0;
    if (strcmp(argv[1], "serve") == 0) {
        long count = atol(argv[3]);
        jipc_rpc_service service;
        if (jipc_rpc_service_open(&service, &rpc) < 0) {
            fprintf(stderr, "jipc_rpc_service_open failed: %s\n", strerror(errno));
            jipc_rpc_close(&rpc);
            return 2;
        }
        printf("serving\n");
        fflush(stdout);
        long taken = 0;
        while ((long) service.handled < count) {
            int n = jipc_rpc_service_poll(&service, plus_one, NULL, 64, 100000000LL);
            if (n < 0) {
                fprintf(stderr, "jipc_rpc_service_poll failed: %s\n", strerror(errno));
                status = 1;
                break;
            }
            taken += n;
        }
        printf("handled %lu\n", (unsigned long) service.handled);
        jipc_rpc_service_close(&service);
        jipc_rpc_service_close(&service); /* idempotent */
    } else if (strcmp(argv[1], "call") == 0 && argc >= 5) {
        uint64_t seed = strtoull(argv[3], NULL, 10);
        long count = atol(argv[4]);
        jipc_rpc_client client;
        if (jipc_rpc_client_open(&client, &rpc) < 0) {
            fprintf(stderr, "jipc_rpc_client_open failed: %s\n", strerror(errno));
            jipc_rpc_close(&rpc);
            return 2;
        }
        printf("client %d\n", client.slot);
        fflush(stdout);
        uint32_t max = jipc_rpc_max_request(&rpc);
        uint32_t max_response = jipc_rpc_max_response(&rpc);
        if (max_response < max) {
            max = max_response;
        }
        unsigned char *request = malloc(max + 1), *response = malloc(max + 1);
        for (long i = 0; i < count && status == 0; i++) {
            uint64_t h = mix(seed + (uint64_t) i);
            uint32_t length = (uint32_t) (h % (max + 1));
            for (uint32_t j = 0; j < length; j++) {
                request[j] = (unsigned char) (h + 7 * j);
            }
            int32_t type = 1 + (int32_t) (i % 7), got_type = 0;
            if (type == 2) {
                type = 8; /* 2 hangs the test services */
            }
            uint32_t got_length = 0;
            if (jipc_rpc_call(&client, type, request, length, 30000000000LL, response, max + 1, &got_type,
                              &got_length) < 0) {
                fprintf(stderr, "call %ld failed: %s\n", i, strerror(errno));
                status = 1;
                break;
            }
            if (got_type != type || got_length != length) {
                fprintf(stderr, "call %ld: type %d length %u, expected %d and %u\n", i, got_type, got_length, type,
                        length);
                status = 1;
                break;
            }
            for (uint32_t j = 0; j < length; j++) {
                if (response[j] != (unsigned char) (request[j] + 1)) {
                    fprintf(stderr, "call %ld: byte %u is %u, expected %u\n", i, j, response[j],
                            (unsigned char) (request[j] + 1));
                    status = 1;
                    break;
                }
            }
        }
        if (status == 0) {
            printf("called %ld\n", count);
        }
        free(request);
        free(response);
        jipc_rpc_client_close(&client);
        jipc_rpc_client_close(&client); /* idempotent */
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        status = 2;
    }
    jipc_rpc_close(&rpc);
    jipc_rpc_close(&rpc); /* idempotent */
    return status;
}
