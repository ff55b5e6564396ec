/*
 * jipc_rpc: the C twin of jipc.rpc (SharedRpc, RpcClient, RpcService): request/response over shared memory, one
 * service and up to 52 clients, built out of the channel images of jipc_channel.h.
 *
 * The byte layout (an RPC header page, then one many-to-one request channel and one one-to-one response channel per
 * client slot, at the offsets the header names), the 16-byte prefixes of requests and responses, correlation ids and
 * every step's order are specified in docs/rpc-format.md; the numbers below are those of jipc.rpc.RpcDescriptor.
 * Java (SharedRpc.create, `jipc rpc create`) or C (jipc_rpc_create) creates the object; C attaches to it
 * (jipc_rpc_open) and can be a client (jipc_rpc_client_open, jipc_rpc_call) or the service (jipc_rpc_service_open,
 * jipc_rpc_service_poll).
 *
 * Costs: unlike Java, which hands requests and responses over in place, this twin copies each request once into the
 * request ring (prefix and payload are sent in one offer from a buffer), and each response once out of the ring into
 * the caller's buffer. Waits are futex sleeps in slices of at most 100 ms; at each slice end a client judges the
 * service by its liveness token (docs/liveness-format.md), so a dead service fails a waiting call within a slice.
 *
 * Every handle is closed idempotently by its _close function. Not thread-safe: a client or service per thread.
 */
#ifndef JIPC_RPC_H
#define JIPC_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jipc_channel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "JIPCRPC1" as a little-endian 64-bit word. */
#define JIPC_RPC_MAGIC 0x314350524350494AULL
#define JIPC_RPC_LAYOUT_VERSION 1
#define JIPC_RPC_HEADER_LENGTH 4096
#define JIPC_RPC_PAGE 4096
#define JIPC_RPC_MAX_CLIENT_SLOTS 52
#define JIPC_RPC_MAX_CAPACITY (1ULL << 40)

#define JIPC_RPC_MAGIC_OFFSET 0
#define JIPC_RPC_VERSION_OFFSET 8
#define JIPC_RPC_CLIENT_SLOTS_OFFSET 12
#define JIPC_RPC_HEADER_LENGTH_OFFSET 16
#define JIPC_RPC_FLAGS_OFFSET 20
#define JIPC_RPC_REQUEST_OFFSET_OFFSET 24
#define JIPC_RPC_REQUEST_CAPACITY_OFFSET 32
#define JIPC_RPC_RESPONSE_OFFSET_OFFSET 40
#define JIPC_RPC_RESPONSE_STRIDE_OFFSET 48
#define JIPC_RPC_RESPONSE_CAPACITY_OFFSET 56
#define JIPC_RPC_TOTAL_SIZE_OFFSET 64
#define JIPC_RPC_CREATOR_PARTY_OFFSET 72
#define JIPC_RPC_CREATOR_PID_OFFSET 80
#define JIPC_RPC_CREATOR_PID_NAMESPACE_OFFSET 88
#define JIPC_RPC_SERVICE_PARTY_OFFSET 128
#define JIPC_RPC_SERVICE_PID_OFFSET 136
#define JIPC_RPC_SERVICE_EPOCH_OFFSET 140
#define JIPC_RPC_SERVICE_PID_NAMESPACE_OFFSET 144
#define JIPC_RPC_CLIENT_SLOTS_START 256
#define JIPC_RPC_CLIENT_SLOT_LENGTH 64
#define JIPC_RPC_SLOT_PARTY_OFFSET 0
#define JIPC_RPC_SLOT_GENERATION_OFFSET 8
#define JIPC_RPC_SLOT_PID_OFFSET 12
#define JIPC_RPC_SLOT_PID_NAMESPACE_OFFSET 16

/* Request payload: slot (int32), flags (int32, 0), correlation id (int64), then the user's bytes. */
#define JIPC_RPC_REQUEST_SLOT_OFFSET 0
#define JIPC_RPC_REQUEST_FLAGS_OFFSET 4
#define JIPC_RPC_REQUEST_ID_OFFSET 8
#define JIPC_RPC_REQUEST_PREFIX_LENGTH 16
/* Response payload: correlation id (int64), status (int32), 0 (int32), then the user's bytes. */
#define JIPC_RPC_RESPONSE_ID_OFFSET 0
#define JIPC_RPC_RESPONSE_STATUS_OFFSET 8
#define JIPC_RPC_RESPONSE_PREFIX_LENGTH 16
#define JIPC_RPC_STATUS_OK 0
#define JIPC_RPC_STATUS_FAILED 1

/* Why jipc_rpc_call failed with ESRCH (jipc_rpc_client.unavailable): the service role is free; another service took
 * it while the request was pending; the service's liveness token says it is dead. */
#define JIPC_RPC_NO_SERVICE 1
#define JIPC_RPC_SERVICE_REPLACED 2
#define JIPC_RPC_SERVICE_DEAD 3

/* An attached rpc object (jipc_rpc_open). */
typedef struct jipc_rpc {
    unsigned char *base;            /* the mapping, MAP_FAILED/NULL when closed */
    size_t size;
    int fd;                         /* -1 when closed */
    uint32_t clients;
    uint64_t request_capacity;
    uint64_t response_offset;
    uint64_t response_stride;
    uint64_t response_capacity;
    uint64_t total_size;
    char name[256];
} jipc_rpc;

typedef struct jipc_rpc_client {
    jipc_rpc *rpc;                  /* NULL when closed */
    int slot;
    uint32_t generation;
    uint32_t counter;
    uint64_t party;
    jipc_channel request;
    jipc_channel response;
    unsigned char *buffer;          /* prefix + request, request-channel max bytes */
    uint64_t stale_dropped;
    /* Optional (set after jipc_rpc_client_open): asked at the end of every wait slice of jipc_rpc_call; non-zero ends
     * the call with EINTR (a language binding running its signal handlers; a late response is dropped as stale). */
    int (*interrupted)(void *context);
    void *interrupt_context;
    /* The service party last judged not dead when a call started, and when (CLOCK_MONOTONIC ns): a call reuses the
     * verdict for one slice, so it costs no liveness system calls; a waiting call judges again at every slice end. */
    uint64_t judged_service;
    int64_t judged_at;
    /* Why the last call failed with ESRCH (JIPC_RPC_NO_SERVICE, JIPC_RPC_SERVICE_REPLACED or
     * JIPC_RPC_SERVICE_DEAD), and the pid that service recorded (0 if there was none): for the caller's message. */
    int unavailable;
    int32_t unavailable_pid;
} jipc_rpc_client;

/* Called once per request by jipc_rpc_service_poll: write the response (at most response_max bytes) to response,
 * set *response_type (>= 1), and return its length; or write a message and return -1 - length for a failure (the
 * client's call fails with EREMOTEIO). request is valid only during the call. */
typedef int64_t (*jipc_rpc_handler)(void *context, int32_t type, const void *request, uint32_t length,
                                    int32_t *response_type, void *response, uint32_t response_max);

typedef struct jipc_rpc_service {
    jipc_rpc *rpc;                  /* NULL when closed */
    uint64_t party;
    jipc_channel request;
    jipc_channel *responses;        /* one per client slot */
    unsigned char *buffer;          /* prefix + response, response-channel max bytes */
    int64_t response_wait_ns;       /* how long a response waits for room in a live client's full ring (1 s) */
    uint64_t handled;
    uint64_t dropped;
    uint64_t malformed;
    /* the request being handled (for the poll callback) */
    jipc_rpc_handler handler;
    void *context;
} jipc_rpc_service;

/* Opens the POSIX shared memory object name (O_RDWR), maps it and checks the RPC header and every channel header in
 * it (docs/rpc-format.md, "Attach"); writes nothing. 0, or -1 with errno: what shm_open/fstat/mmap failed with, or
 * EPROTO if a field is impossible (then *field, if not NULL, names it). */
int jipc_rpc_open(jipc_rpc *rpc, const char *name, const char **field);

/* The object's size for these slots and capacities (docs/rpc-format.md: responseOffset + N * responseStride), or 0
 * if clients is not in 1 .. JIPC_RPC_MAX_CLIENT_SLOTS or a capacity is not a power of two in 1024 .. 2^40. */
uint64_t jipc_rpc_total_size(uint32_t clients, uint64_t request_capacity, uint64_t response_capacity);

/* Creates the POSIX shared memory object name (shm_open O_CREAT|O_EXCL, permission bits exactly mode whatever the
 * umask, all memory reserved with posix_fallocate) holding an rpc object with clients client slots, a request ring of
 * request_capacity bytes and one response ring of response_capacity bytes per slot, written as docs/rpc-format.md,
 * "Create", says (channel images, header, the magic last with a release store), and attaches rpc to it as
 * jipc_rpc_open does. Java's SharedRpc.create does the same; the largest request (response) is an eighth of its
 * ring minus 24 bytes. 0, or -1 with errno and *failed (if not NULL) naming what failed: EINVAL with "clients",
 * "request_capacity" or "response_capacity" (nothing is created), or the system call ("shm_open": EEXIST if the name
 * is taken; "fchmod", "fallocate", "mmap") or "jipc_channel_create" (making this process's liveness token failed);
 * after shm_open succeeded a failure unlinks the object again. */
int jipc_rpc_create(jipc_rpc *rpc, const char *name, uint32_t clients, uint64_t request_capacity,
                    uint64_t response_capacity, mode_t mode, const char **failed);

/* Unmaps and closes (idempotent). Close clients and services first. */
void jipc_rpc_close(jipc_rpc *rpc);

/* Takes a client slot (a free one, else a dead client's), bumps its generation, registers as consumer of its response
 * channel (dropping what a predecessor left) and as a producer of the request channel. 0, or -1 with errno EBUSY if
 * every slot is held by a live (or undecidable) client, ENOMEM, or a channel error. */
int jipc_rpc_client_open(jipc_rpc_client *client, jipc_rpc *rpc);

/* Gives the request producer slot, the response consumer role and the client slot back (idempotent). */
void jipc_rpc_client_close(jipc_rpc_client *client);

/* Sends one request of length bytes (type >= 1) and waits up to timeout_ns for its response, which is copied into
 * out (at most out_size bytes; *out_length gets its full length, *out_type its type). Responses with another
 * correlation id (late ones, a predecessor's) are dropped.
 * 0, or -1 with errno: ESRCH no live service (none, gone, replaced or dead: noticed within a 100 ms slice; which,
 * and the service's pid, in client->unavailable and client->unavailable_pid),
 * ETIMEDOUT the deadline passed while the service lived, EREMOTEIO the service's handler failed (out holds its
 * message), EMSGSIZE the response was longer than out_size (out holds its start), EINVAL bad type or length,
 * EPROTO a corrupt channel, EINTR the client's interrupted hook said so. */
int jipc_rpc_call(jipc_rpc_client *client, int32_t type, const void *request, uint32_t length, int64_t timeout_ns,
                  void *out, uint32_t out_size, int32_t *out_type, uint32_t *out_length);

/* Takes the service role, the request channel's consumer role and every response channel's producer role.
 * 0, or -1 with errno EBUSY if another live (or undecidable) service holds the role, ENOMEM, or a channel error. */
int jipc_rpc_service_open(jipc_rpc_service *service, jipc_rpc *rpc);

/* Gives every role back (response producers, request consumer, service role; idempotent). */
void jipc_rpc_service_close(jipc_rpc_service *service);

/* Waits up to timeout_ns (< 0: no limit) for requests and hands at most limit of them to handler, answering each
 * into its client's response ring. A request of a client that is gone (or whose slot a new client took) is skipped; a
 * response waits for room only while its client lives, at most response_wait_ns, else it is dropped (counted).
 * Returns the number of requests taken, or -1 with errno EPROTO for a corrupt request channel. */
int jipc_rpc_service_poll(jipc_rpc_service *service, jipc_rpc_handler handler, void *context, int limit,
                          int64_t timeout_ns);

/* The largest request and response payloads (channel maximum minus the 16-byte prefix). */
uint32_t jipc_rpc_max_request(const jipc_rpc *rpc);
uint32_t jipc_rpc_max_response(const jipc_rpc *rpc);

#ifdef __cplusplus
}
#endif

#endif
