/*
 * The C twin of jipc.rpc; see jipc_rpc.h and docs/rpc-format.md. The RPC header's role words are taken and given
 * back with the liveness roles of jipc_channel.c (sequentially consistent compare-and-sets); the slot generation and
 * the service epoch are sequentially consistent fetch-adds; display fields are release stores.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 100000000LL

static _Atomic uint64_t *u64(const jipc_rpc *rpc, size_t offset) {
    return (_Atomic uint64_t *) (rpc->base + offset);
}

static _Atomic uint32_t *u32(const jipc_rpc *rpc, size_t offset) {
    return (_Atomic uint32_t *) (rpc->base + offset);
}

static size_t slot_offset(int slot) {
    return JIPC_RPC_CLIENT_SLOTS_START + (size_t) JIPC_RPC_CLIENT_SLOT_LENGTH * (size_t) slot;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t channel_size(uint64_t capacity) {
    return JIPC_CHANNEL_HEADER_LENGTH + capacity;
}

static int valid_capacity(uint64_t capacity) {
    return capacity >= JIPC_CHANNEL_MIN_CAPACITY && capacity <= JIPC_RPC_MAX_CAPACITY
            && (capacity & (capacity - 1)) == 0;
}

static int fail(const char **field, const char *name) {
    if (field != NULL) {
        *field = name;
    }
    errno = EPROTO;
    return -1;
}

/* Checks the header (docs/rpc-format.md, "Attach"): every field before any offset is used. */
static int check_header(jipc_rpc *rpc, const char **field) {
    const unsigned char *b = rpc->base;
    if (atomic_load_explicit(u64(rpc, JIPC_RPC_MAGIC_OFFSET), memory_order_acquire) != JIPC_RPC_MAGIC) {
        return fail(field, "magic");
    }
    uint32_t version, clients, header, flags;
    uint64_t request_offset, request_capacity, response_offset, stride, response_capacity, total;
    memcpy(&version, b + JIPC_RPC_VERSION_OFFSET, 4);
    memcpy(&clients, b + JIPC_RPC_CLIENT_SLOTS_OFFSET, 4);
    memcpy(&header, b + JIPC_RPC_HEADER_LENGTH_OFFSET, 4);
    memcpy(&flags, b + JIPC_RPC_FLAGS_OFFSET, 4);
    memcpy(&request_offset, b + JIPC_RPC_REQUEST_OFFSET_OFFSET, 8);
    memcpy(&request_capacity, b + JIPC_RPC_REQUEST_CAPACITY_OFFSET, 8);
    memcpy(&response_offset, b + JIPC_RPC_RESPONSE_OFFSET_OFFSET, 8);
    memcpy(&stride, b + JIPC_RPC_RESPONSE_STRIDE_OFFSET, 8);
    memcpy(&response_capacity, b + JIPC_RPC_RESPONSE_CAPACITY_OFFSET, 8);
    memcpy(&total, b + JIPC_RPC_TOTAL_SIZE_OFFSET, 8);
    if (version != JIPC_RPC_LAYOUT_VERSION) {
        return fail(field, "version");
    }
    if (header != JIPC_RPC_HEADER_LENGTH) {
        return fail(field, "headerLength");
    }
    if (flags != 0) {
        return fail(field, "flags");
    }
    if (clients < 1 || clients > JIPC_RPC_MAX_CLIENT_SLOTS) {
        return fail(field, "clientSlots");
    }
    if (request_offset != JIPC_RPC_HEADER_LENGTH) {
        return fail(field, "requestOffset");
    }
    if (!valid_capacity(request_capacity)) {
        return fail(field, "requestCapacity");
    }
    if (!valid_capacity(response_capacity)) {
        return fail(field, "responseCapacity");
    }
    if (response_offset < JIPC_RPC_HEADER_LENGTH + channel_size(request_capacity)
            || response_offset > 4 * JIPC_RPC_MAX_CAPACITY || response_offset % JIPC_RPC_PAGE != 0) {
        return fail(field, "responseOffset");
    }
    if (stride < channel_size(response_capacity) || stride > 2 * JIPC_RPC_MAX_CAPACITY
            || stride % JIPC_RPC_PAGE != 0) {
        return fail(field, "responseStride");
    }
    if (total != response_offset + clients * stride) {
        return fail(field, "totalSize");
    }
    if (rpc->size < total) {
        return fail(field, "object size");
    }
    jipc_channel ch;
    if (jipc_channel_attach(&ch, rpc->base + request_offset, channel_size(request_capacity)) != JIPC_CHANNEL_OK
            || !ch.many || ch.capacity != request_capacity
            || ch.max_message_length < JIPC_RPC_REQUEST_PREFIX_LENGTH) {
        return fail(field, "request channel");
    }
    for (uint32_t i = 0; i < clients; i++) {
        if (jipc_channel_attach(&ch, rpc->base + response_offset + i * stride, channel_size(response_capacity))
                != JIPC_CHANNEL_OK || ch.many || ch.capacity != response_capacity
                || ch.max_message_length < JIPC_RPC_RESPONSE_PREFIX_LENGTH) {
            return fail(field, "response channel");
        }
    }
    rpc->clients = clients;
    rpc->request_capacity = request_capacity;
    rpc->response_offset = response_offset;
    rpc->response_stride = stride;
    rpc->response_capacity = response_capacity;
    rpc->total_size = total;
    return 0;
}

int jipc_rpc_open(jipc_rpc *rpc, const char *name, const char **field) {
    memset(rpc, 0, sizeof *rpc);
    rpc->fd = -1;
    if (field != NULL) {
        *field = NULL;
    }
    if (strlen(name) >= sizeof rpc->name) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    if (st.st_size < JIPC_RPC_HEADER_LENGTH) {
        close(fd);
        return fail(field, "object size");
    }
    void *base = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    rpc->base = base;
    rpc->size = (size_t) st.st_size;
    rpc->fd = fd;
    strcpy(rpc->name, name);
    if (check_header(rpc, field) < 0) {
        jipc_rpc_close(rpc);
        errno = EPROTO;
        return -1;
    }
    return 0;
}

static uint32_t channel_max(uint64_t capacity);

static uint64_t page_align(uint64_t n) {
    return (n + JIPC_RPC_PAGE - 1) & ~(uint64_t) (JIPC_RPC_PAGE - 1);
}

uint64_t jipc_rpc_total_size(uint32_t clients, uint64_t request_capacity, uint64_t response_capacity) {
    if (clients < 1 || clients > JIPC_RPC_MAX_CLIENT_SLOTS || !valid_capacity(request_capacity)
            || !valid_capacity(response_capacity)) {
        return 0;
    }
    return page_align(JIPC_RPC_HEADER_LENGTH + channel_size(request_capacity))
            + clients * page_align(channel_size(response_capacity));
}

static int create_failed(const char **failed, const char *what, int error) {
    if (failed != NULL) {
        *failed = what;
    }
    errno = error;
    return -1;
}

/* docs/rpc-format.md, "Create", on the zeroed mapping of rpc: every channel image (each with its magic last), every
 * header field, then the magic with a release store, so that whoever attaches early sees no rpc object or a complete
 * one. */
static int write_rpc(jipc_rpc *rpc, uint32_t clients, uint64_t request_capacity, uint64_t response_capacity,
                     const char **failed) {
    uint64_t response_offset = page_align(JIPC_RPC_HEADER_LENGTH + channel_size(request_capacity));
    uint64_t stride = page_align(channel_size(response_capacity));
    jipc_channel ch;
    int r = jipc_channel_create(&ch, rpc->base + JIPC_RPC_HEADER_LENGTH, channel_size(request_capacity),
                                request_capacity, channel_max(request_capacity), JIPC_CHANNEL_FLAG_MANY_PRODUCERS);
    for (uint32_t i = 0; r == JIPC_CHANNEL_OK && i < clients; i++) {
        r = jipc_channel_create(&ch, rpc->base + response_offset + i * stride, channel_size(response_capacity),
                                response_capacity, channel_max(response_capacity), 0);
    }
    if (r != JIPC_CHANNEL_OK) {
        return create_failed(failed, "jipc_channel_create", r < 0 ? errno : EINVAL);
    }
    uint64_t party = jipc_live_process_party();
    if (party == 0) {
        return create_failed(failed, "jipc_live_process_party", errno);
    }
    atomic_store_explicit(u32(rpc, JIPC_RPC_VERSION_OFFSET), JIPC_RPC_LAYOUT_VERSION, memory_order_relaxed);
    atomic_store_explicit(u32(rpc, JIPC_RPC_CLIENT_SLOTS_OFFSET), clients, memory_order_relaxed);
    atomic_store_explicit(u32(rpc, JIPC_RPC_HEADER_LENGTH_OFFSET), JIPC_RPC_HEADER_LENGTH, memory_order_relaxed);
    atomic_store_explicit(u32(rpc, JIPC_RPC_FLAGS_OFFSET), 0, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_REQUEST_OFFSET_OFFSET), JIPC_RPC_HEADER_LENGTH, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_REQUEST_CAPACITY_OFFSET), request_capacity, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_RESPONSE_OFFSET_OFFSET), response_offset, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_RESPONSE_STRIDE_OFFSET), stride, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_RESPONSE_CAPACITY_OFFSET), response_capacity, memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_TOTAL_SIZE_OFFSET), response_offset + clients * stride,
                          memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_CREATOR_PARTY_OFFSET), party, memory_order_relaxed);
    atomic_store_explicit(u32(rpc, JIPC_RPC_CREATOR_PID_OFFSET), (uint32_t) getpid(), memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_CREATOR_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_relaxed);
    atomic_store_explicit(u64(rpc, JIPC_RPC_MAGIC_OFFSET), JIPC_RPC_MAGIC, memory_order_release);
    return 0;
}

int jipc_rpc_create(jipc_rpc *rpc, const char *name, uint32_t clients, uint64_t request_capacity,
                    uint64_t response_capacity, mode_t mode, const char **failed) {
    memset(rpc, 0, sizeof *rpc);
    rpc->fd = -1;
    if (failed != NULL) {
        *failed = NULL;
    }
    if (clients < 1 || clients > JIPC_RPC_MAX_CLIENT_SLOTS) {
        return create_failed(failed, "clients", EINVAL);
    }
    if (!valid_capacity(request_capacity)) {
        return create_failed(failed, "request_capacity", EINVAL);
    }
    if (!valid_capacity(response_capacity)) {
        return create_failed(failed, "response_capacity", EINVAL);
    }
    if (strlen(name) >= sizeof rpc->name) {
        return create_failed(failed, "shm_open", ENAMETOOLONG);
    }
    uint64_t size = jipc_rpc_total_size(clients, request_capacity, response_capacity);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        return create_failed(failed, "shm_open", errno);
    }
    const char *call = NULL;
    int error = 0;
    struct stat st;
    if (fchmod(fd, mode) < 0) {
        call = "fchmod";
        error = errno;
    } else if ((error = posix_fallocate(fd, 0, (off_t) size)) == EOPNOTSUPP || error == EINVAL) {
        error = ftruncate(fd, (off_t) size) < 0 ? errno : 0;
    }
    if (call == NULL && error != 0) {
        call = "fallocate";
    }
    if (call == NULL) {
        /* the token of this process's parties: readable by whoever may open the object (if it is not made yet) */
        if (fstat(fd, &st) == 0) {
            jipc_live_set_access(st.st_mode & 0777, st.st_gid);
        }
        void *base = mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED) {
            call = "mmap";
            error = errno;
        } else {
            rpc->base = base;
            rpc->size = (size_t) size;
            rpc->fd = fd;
            strcpy(rpc->name, name);
            if (write_rpc(rpc, clients, request_capacity, response_capacity, &call) == 0
                    && check_header(rpc, &call) == 0) {
                return 0;
            }
            error = errno;
            jipc_rpc_close(rpc);
            fd = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    shm_unlink(name);
    return create_failed(failed, call, error);
}

void jipc_rpc_close(jipc_rpc *rpc) {
    if (rpc->base != NULL) {
        munmap(rpc->base, rpc->size);
        rpc->base = NULL;
    }
    if (rpc->fd >= 0) {
        close(rpc->fd);
        rpc->fd = -1;
    }
}

static uint32_t channel_max(uint64_t capacity) {
    uint64_t limit = capacity / 8 - JIPC_RECORD_HEADER_LENGTH;
    return limit > (uint64_t) INT_MAX - 64 ? (uint32_t) INT_MAX - 64 : (uint32_t) limit;
}

uint32_t jipc_rpc_max_request(const jipc_rpc *rpc) {
    return channel_max(rpc->request_capacity) - JIPC_RPC_REQUEST_PREFIX_LENGTH;
}

uint32_t jipc_rpc_max_response(const jipc_rpc *rpc) {
    return channel_max(rpc->response_capacity) - JIPC_RPC_RESPONSE_PREFIX_LENGTH;
}

static unsigned char *response_image(const jipc_rpc *rpc, int slot) {
    return rpc->base + rpc->response_offset + (uint64_t) slot * rpc->response_stride;
}

/* ---- client ---------------------------------------------------------------------------------------------------- */

int jipc_rpc_client_open(jipc_rpc_client *client, jipc_rpc *rpc) {
    memset(client, 0, sizeof *client);
    client->slot = -1;
    uint64_t mine = jipc_live_new_party();
    if (mine == 0) {
        return -1;
    }
    /* a free slot first, then one whose holder is certainly dead */
    int taken = -1;
    uint64_t previous = 0;
    for (int pass = 0; pass < 2 && taken < 0; pass++) {
        for (uint32_t i = 0; i < rpc->clients; i++) {
            _Atomic uint64_t *word = u64(rpc, slot_offset((int) i) + JIPC_RPC_SLOT_PARTY_OFFSET);
            uint64_t holder = atomic_load(word);
            if (holder != 0 && (pass == 0 || jipc_live_check(holder) != JIPC_LIVE_DEAD)) {
                continue;
            }
            if (jipc_live_take_role((uint64_t *) word, mine, &previous) == 0) {
                taken = (int) i;
                break;
            }
        }
    }
    if (taken < 0) {
        jipc_live_release_party(mine);
        errno = EBUSY;
        return -1;
    }
    size_t offset = slot_offset(taken);
    /* a new generation first: every id of a predecessor is stale from here on */
    client->generation = atomic_fetch_add(u32(rpc, offset + JIPC_RPC_SLOT_GENERATION_OFFSET), 1) + 1;
    atomic_store_explicit(u32(rpc, offset + JIPC_RPC_SLOT_PID_OFFSET), (uint32_t) getpid(), memory_order_release);
    atomic_store_explicit(u64(rpc, offset + JIPC_RPC_SLOT_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_release);
    client->rpc = rpc;
    client->slot = taken;
    client->party = mine;
    int error = 0;
    if (jipc_channel_attach(&client->response, response_image(rpc, taken), channel_size(rpc->response_capacity))
            != JIPC_CHANNEL_OK
            || jipc_channel_attach(&client->request, rpc->base + JIPC_RPC_HEADER_LENGTH,
                                   channel_size(rpc->request_capacity)) != JIPC_CHANNEL_OK) {
        error = EPROTO;
    } else if (jipc_channel_register_consumer(&client->response) < 0
               || jipc_channel_attach_producer(&client->request) < 0) {
        error = errno;
    } else if ((client->buffer = malloc(client->request.max_message_length)) == NULL) {
        error = ENOMEM;
    }
    if (error != 0) {
        jipc_rpc_client_close(client);
        errno = error;
        return -1;
    }
    return 0;
}

void jipc_rpc_client_close(jipc_rpc_client *client) {
    jipc_rpc *rpc = client->rpc;
    if (rpc == NULL) {
        return;
    }
    client->rpc = NULL;
    if (client->request.base != NULL) {
        jipc_channel_detach_producer(&client->request);
    }
    if (client->response.base != NULL) {
        jipc_channel_unregister_consumer(&client->response);
    }
    jipc_live_give_role_back((uint64_t *) u64(rpc, slot_offset(client->slot) + JIPC_RPC_SLOT_PARTY_OFFSET),
                             client->party);
    jipc_live_release_party(client->party);
    free(client->buffer);
    client->buffer = NULL;
}

/* 0 if a service may be alive (and, with expected != 0, is still that one), else -1 ESRCH, with why in
 * client->unavailable and the pid the service recorded in client->unavailable_pid (for the caller's message). */
static int check_service(jipc_rpc_client *client, uint64_t expected, uint64_t *service) {
    const jipc_rpc *rpc = client->rpc;
    uint64_t party = atomic_load_explicit(u64(rpc, JIPC_RPC_SERVICE_PARTY_OFFSET), memory_order_acquire);
    int why = party == 0 ? JIPC_RPC_NO_SERVICE
            : expected != 0 && party != expected ? JIPC_RPC_SERVICE_REPLACED
            : jipc_live_check(party) == JIPC_LIVE_DEAD ? JIPC_RPC_SERVICE_DEAD : 0;
    if (why != 0) {
        client->unavailable = why;
        client->unavailable_pid = party == 0 ? 0
                : (int32_t) atomic_load_explicit(u32(rpc, JIPC_RPC_SERVICE_PID_OFFSET), memory_order_acquire);
        errno = ESRCH;
        return -1;
    }
    if (service != NULL) {
        *service = party;
    }
    return 0;
}

struct receipt {
    jipc_rpc_client *client;
    uint64_t expected;
    int arrived;
    int32_t status;
    int32_t type;
    uint32_t length;
    void *out;
    uint32_t out_size;
};

static void receive(void *context, int32_t type, const void *payload, uint32_t length) {
    struct receipt *r = context;
    uint64_t id;
    if (r->arrived || length < JIPC_RPC_RESPONSE_PREFIX_LENGTH) {
        r->client->stale_dropped++;
        return;
    }
    memcpy(&id, (const unsigned char *) payload + JIPC_RPC_RESPONSE_ID_OFFSET, 8);
    if (id != r->expected) {
        r->client->stale_dropped++;
        return;
    }
    r->arrived = 1;
    memcpy(&r->status, (const unsigned char *) payload + JIPC_RPC_RESPONSE_STATUS_OFFSET, 4);
    r->type = type;
    r->length = length - JIPC_RPC_RESPONSE_PREFIX_LENGTH;
    uint32_t n = r->length < r->out_size ? r->length : r->out_size;
    if (n > 0) {
        memcpy(r->out, (const unsigned char *) payload + JIPC_RPC_RESPONSE_PREFIX_LENGTH, n);
    }
}

int jipc_rpc_call(jipc_rpc_client *client, int32_t type, const void *request, uint32_t length, int64_t timeout_ns,
                  void *out, uint32_t out_size, int32_t *out_type, uint32_t *out_length) {
    jipc_rpc *rpc = client->rpc;
    if (rpc == NULL || type < 1 || length > client->request.max_message_length - JIPC_RPC_REQUEST_PREFIX_LENGTH) {
        errno = EINVAL;
        return -1;
    }
    int64_t deadline = now_ns() + (timeout_ns < 0 ? INT64_MAX / 2 : timeout_ns);
    uint64_t service = atomic_load_explicit(u64(rpc, JIPC_RPC_SERVICE_PARTY_OFFSET), memory_order_acquire);
    int64_t now = now_ns();
    if (service == 0 || service != client->judged_service || now - client->judged_at >= SLICE_NS) {
        client->judged_service = 0;
        if (check_service(client, 0, &service) < 0) {
            return -1;
        }
        client->judged_service = service;
        client->judged_at = now;
    }
    uint64_t id = ((uint64_t) client->generation << 32) | ++client->counter;
    int32_t slot = client->slot, flags = 0;
    memcpy(client->buffer + JIPC_RPC_REQUEST_SLOT_OFFSET, &slot, 4);
    memcpy(client->buffer + JIPC_RPC_REQUEST_FLAGS_OFFSET, &flags, 4);
    memcpy(client->buffer + JIPC_RPC_REQUEST_ID_OFFSET, &id, 8);
    if (length > 0) {
        memcpy(client->buffer + JIPC_RPC_REQUEST_PREFIX_LENGTH, request, length);
    }
    for (;;) {
        int sent = jipc_channel_offer(&client->request, type, client->buffer, JIPC_RPC_REQUEST_PREFIX_LENGTH + length);
        if (sent < 0) {
            return -1;
        }
        if (sent == 1) {
            break;
        }
        int64_t left = deadline - now_ns();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (jipc_channel_wait_room(&client->request, JIPC_RPC_REQUEST_PREFIX_LENGTH + length,
                                   left < SLICE_NS ? left : SLICE_NS) < 0) {
            return -1;
        }
        if (client->interrupted != NULL && client->interrupted(client->interrupt_context)) {
            errno = EINTR;
            return -1;
        }
        if (check_service(client, service, NULL) < 0) {
            return -1;
        }
    }
    struct receipt r = { client, id, 0, 0, 0, 0, out, out_size };
    for (;;) {
        if (jipc_channel_poll(&client->response, receive, &r, INT_MAX) < 0) {
            return -1;
        }
        if (r.arrived) {
            if (out_type != NULL) {
                *out_type = r.type;
            }
            if (out_length != NULL) {
                *out_length = r.length;
            }
            if (r.status != JIPC_RPC_STATUS_OK) {
                errno = EREMOTEIO;
                return -1;
            }
            if (r.length > out_size) {
                errno = EMSGSIZE;
                return -1;
            }
            return 0;
        }
        int64_t left = deadline - now_ns();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        jipc_channel_wait_message(&client->response, left < SLICE_NS ? left : SLICE_NS);
        if (client->interrupted != NULL && client->interrupted(client->interrupt_context)) {
            errno = EINTR;
            return -1;
        }
        /* at a slice's end with nothing there: a dead service wakes nobody */
        if (!jipc_channel_has_message(&client->response) && check_service(client, service, NULL) < 0) {
            return -1;
        }
    }
}

/* ---- service --------------------------------------------------------------------------------------------------- */

int jipc_rpc_service_open(jipc_rpc_service *s, jipc_rpc *rpc) {
    memset(s, 0, sizeof *s);
    s->response_wait_ns = 1000000000LL;
    uint64_t mine = jipc_live_new_party();
    if (mine == 0) {
        return -1;
    }
    uint64_t previous;
    if (jipc_live_take_role((uint64_t *) u64(rpc, JIPC_RPC_SERVICE_PARTY_OFFSET), mine, &previous) < 0) {
        jipc_live_release_party(mine);
        return -1;
    }
    atomic_store_explicit(u32(rpc, JIPC_RPC_SERVICE_PID_OFFSET), (uint32_t) getpid(), memory_order_release);
    atomic_store_explicit(u64(rpc, JIPC_RPC_SERVICE_PID_NAMESPACE_OFFSET), jipc_live_pid_namespace(),
                          memory_order_release);
    atomic_fetch_add(u32(rpc, JIPC_RPC_SERVICE_EPOCH_OFFSET), 1);
    s->rpc = rpc;
    s->party = mine;
    int error = 0;
    s->responses = calloc(rpc->clients, sizeof *s->responses);
    if (s->responses == NULL) {
        error = ENOMEM;
    } else if (jipc_channel_attach(&s->request, rpc->base + JIPC_RPC_HEADER_LENGTH,
                                   channel_size(rpc->request_capacity)) != JIPC_CHANNEL_OK) {
        error = EPROTO;
    } else if (jipc_channel_register_consumer(&s->request) < 0) {
        error = errno;
    }
    for (uint32_t i = 0; error == 0 && i < rpc->clients; i++) {
        if (jipc_channel_attach(&s->responses[i], response_image(rpc, (int) i), channel_size(rpc->response_capacity))
                != JIPC_CHANNEL_OK) {
            error = EPROTO;
        } else if (jipc_channel_attach_producer(&s->responses[i]) < 0) {
            error = errno;
        }
    }
    if (error == 0 && (s->buffer = malloc(s->responses[0].max_message_length)) == NULL) {
        error = ENOMEM;
    }
    if (error != 0) {
        jipc_rpc_service_close(s);
        errno = error;
        return -1;
    }
    return 0;
}

void jipc_rpc_service_close(jipc_rpc_service *s) {
    jipc_rpc *rpc = s->rpc;
    if (rpc == NULL) {
        return;
    }
    s->rpc = NULL;
    if (s->responses != NULL) {
        for (uint32_t i = 0; i < rpc->clients; i++) {
            if (s->responses[i].base != NULL) {
                jipc_channel_detach_producer(&s->responses[i]);
            }
        }
    }
    if (s->request.base != NULL) {
        jipc_channel_unregister_consumer(&s->request);
    }
    jipc_live_give_role_back((uint64_t *) u64(rpc, JIPC_RPC_SERVICE_PARTY_OFFSET), s->party);
    jipc_live_release_party(s->party);
    free(s->responses);
    s->responses = NULL;
    free(s->buffer);
    s->buffer = NULL;
}

/* Whether slot is held in generation: two loads. */
static int current(const jipc_rpc *rpc, int slot, uint32_t generation) {
    size_t offset = slot_offset(slot);
    return atomic_load_explicit(u64(rpc, offset + JIPC_RPC_SLOT_PARTY_OFFSET), memory_order_acquire) != 0
            && atomic_load_explicit(u32(rpc, offset + JIPC_RPC_SLOT_GENERATION_OFFSET), memory_order_acquire)
                    == generation;
}

static int client_may_be_alive(const jipc_rpc *rpc, int slot) {
    enum jipc_live_state state = jipc_live_check(atomic_load(u64(rpc, slot_offset(slot) + JIPC_RPC_SLOT_PARTY_OFFSET)));
    return state == JIPC_LIVE_ALIVE || state == JIPC_LIVE_UNKNOWN;
}

/* Sends the response in s->buffer (prefix written) to slot; waits for room only while the client lives. */
static void deliver(jipc_rpc_service *s, int slot, uint32_t generation, int32_t type, uint32_t length) {
    jipc_channel *ch = &s->responses[slot];
    int64_t until = now_ns() + s->response_wait_ns;
    for (;;) {
        if (!current(s->rpc, slot, generation)) {
            s->dropped++;
            return;
        }
        int sent = jipc_channel_offer(ch, type, s->buffer, length);
        if (sent == 1) {
            return;
        }
        if (sent < 0 || !client_may_be_alive(s->rpc, slot) || now_ns() - until >= 0) {
            s->dropped++;
            return;
        }
        jipc_channel_wait_room(ch, length, SLICE_NS);
    }
}

static void on_request(void *context, int32_t type, const void *payload, uint32_t length) {
    jipc_rpc_service *s = context;
    const unsigned char *p = payload;
    if (length < JIPC_RPC_REQUEST_PREFIX_LENGTH) {
        s->malformed++;
        return;
    }
    int32_t slot;
    uint64_t id;
    memcpy(&slot, p + JIPC_RPC_REQUEST_SLOT_OFFSET, 4);
    memcpy(&id, p + JIPC_RPC_REQUEST_ID_OFFSET, 8);
    if (slot < 0 || (uint32_t) slot >= s->rpc->clients) {
        s->malformed++;
        return;
    }
    uint32_t generation = (uint32_t) (id >> 32);
    if (!current(s->rpc, slot, generation)) {
        s->dropped++;
        return;
    }
    uint32_t max = s->responses[slot].max_message_length - JIPC_RPC_RESPONSE_PREFIX_LENGTH;
    int32_t response_type = 1;
    int64_t n = s->handler(s->context, type, p + JIPC_RPC_REQUEST_PREFIX_LENGTH,
                           length - JIPC_RPC_REQUEST_PREFIX_LENGTH, &response_type,
                           s->buffer + JIPC_RPC_RESPONSE_PREFIX_LENGTH, max);
    s->handled++;
    int32_t status = JIPC_RPC_STATUS_OK, reserved = 0;
    if (n < 0) {
        status = JIPC_RPC_STATUS_FAILED;
        n = -1 - n;
        response_type = 1;
    }
    if (n > max) {
        n = max;
    }
    if (response_type < 1) {
        response_type = 1;
    }
    memcpy(s->buffer + JIPC_RPC_RESPONSE_ID_OFFSET, &id, 8);
    memcpy(s->buffer + JIPC_RPC_RESPONSE_STATUS_OFFSET, &status, 4);
    memcpy(s->buffer + JIPC_RPC_RESPONSE_STATUS_OFFSET + 4, &reserved, 4);
    deliver(s, slot, generation, response_type, (uint32_t) n + JIPC_RPC_RESPONSE_PREFIX_LENGTH);
}

int jipc_rpc_service_poll(jipc_rpc_service *s, jipc_rpc_handler handler, void *context, int limit,
                          int64_t timeout_ns) {
    if (s->rpc == NULL || handler == NULL || limit < 1) {
        errno = EINVAL;
        return -1;
    }
    s->handler = handler;
    s->context = context;
    if (!jipc_channel_has_message(&s->request) && timeout_ns != 0) {
        jipc_channel_wait_message(&s->request, timeout_ns);
    }
    return jipc_channel_poll(&s->request, on_request, s, limit);
}
