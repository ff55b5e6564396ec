/*
 * jipc._jipc: the CPython binding of jipc's C twins (native/jipc_channel.c, jipc_live.c, ...). The Python modules of
 * the package (channel.py, ...) wrap these types with type hints and docstrings; this file keeps only what must be
 * native: the mapping, the calls into the twins, zero-copy views and waits that release the GIL.
 *
 * Zero-copy views. A message handed to a handler and a claim's payload are memoryviews whose buffer is exported by
 * the Channel object itself (bf_getbuffer with a region set just before PyMemoryView_FromObject), so each view
 * counts as one export: close() refuses with BufferError while one is alive, as Python's mmap does, and the mapping
 * is never unmapped under a view. A view is released when its message has been handled (or its claim committed or
 * aborted) unless something still holds a buffer of it (numpy.frombuffer, say): a kept view then fails cleanly
 * instead of showing a later message's bytes.
 *
 * Waiting. Every blocking call waits in futex slices of at most 100 ms with the GIL released, and runs Python's
 * signal handlers between slices (PyErr_CheckSignals), so Ctrl-C ends it with KeyboardInterrupt and other Python
 * threads run meanwhile. While a thread is inside a call (waiting, or running a handler), the instance is busy:
 * another thread's call on it fails with RuntimeError (the twins are one instance per thread).
 *
 * Errors: the C twins return -1 with errno; this file turns it into an exception through a factory the Python side
 * registers (jipc.errors.from_native), so the words are those of Java's ErrnoException.
 */
#define PY_SSIZE_T_CLEAN
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jipc_channel.h"
#include "jipc_live.h"
#include "jipc_topic.h"
#include "jipc_sem.h"
#include "jipc_rpc.h"

#include <semaphore.h>

#define SLICE_NS 100000000LL

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *o) {
    Py_INCREF(o);
    return o;
}
#endif

/* The next wait slice before deadline (INT64_MAX: none): at most 100 ms, 0 once the deadline passed. */
static int64_t next_slice(int64_t deadline);

/* jipc.errors.from_native(kind, call, argument, errno, detail) -> exception instance */
static PyObject *error_factory;

static PyObject *raise_error(const char *kind, const char *call, PyObject *argument, int error, const char *detail) {
    if (error_factory == NULL) {
        errno = error;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    PyObject *exception = PyObject_CallFunction(error_factory, "ssOis", kind, call,
                                                argument != NULL ? argument : Py_None, error, detail);
    if (exception != NULL) {
        PyErr_SetObject((PyObject *) Py_TYPE(exception), exception);
        Py_DECREF(exception);
    }
    return NULL;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t next_slice(int64_t deadline) {
    if (deadline == INT64_MAX) {
        return SLICE_NS;
    }
    int64_t left = deadline - now_ns();
    return left <= 0 ? 0 : left < SLICE_NS ? left : SLICE_NS;
}

/* A timeout argument: None = no limit (-1), else seconds >= 0 as nanoseconds. -2 with an exception set. */
static int64_t timeout_ns(PyObject *timeout) {
    if (timeout == NULL || timeout == Py_None) {
        return -1;
    }
    double seconds = PyFloat_AsDouble(timeout);
    if (seconds == -1.0 && PyErr_Occurred()) {
        return -2;
    }
    if (!(seconds >= 0)) {
        PyErr_Format(PyExc_ValueError, "timeout=%R < 0", timeout);
        return -2;
    }
    if (seconds > 9e9) {
        return -1;
    }
    return (int64_t) (seconds * 1e9);
}

/* ---- shared memory objects ------------------------------------------------------------------------------------- */

/* A mapped POSIX shared memory object: what every structure of this module lives in. */
typedef struct {
    unsigned char *base;
    size_t size;
    int fd;
} mapped;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Faults every page of the mapping in (MADV_POPULATE_WRITE; skipped on a kernel without it) and reads one byte of
 * each, as Java's Mapping.populate() does: a first access to a page costs tens of microseconds in a virtual machine
 * even after the fault. 0, or -1 with errno set (EFAULT: the object was truncated below the mapping). */
static int mapped_populate(const mapped *m) {
    while (madvise(m->base, m->size, MADV_POPULATE_WRITE) != 0) {
        if (errno == EINVAL) {
            break;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
    const volatile unsigned char *bytes = m->base;
    unsigned char sink = 0;
    for (size_t offset = 0; offset < m->size; offset += 4096) {
        sink ^= bytes[offset];
    }
    (void) sink;
    return 0;
}

static int shm_name_ok(PyObject *name, const char **out) {
    const char *s = PyUnicode_AsUTF8(name);
    if (s == NULL) {
        return -1;
    }
    size_t n = strlen(s);
    if (n < 2 || n > 255 || s[0] != '/' || strchr(s + 1, '/') != NULL || (Py_ssize_t) n != PyUnicode_GET_LENGTH(name)
        || strcmp(s, "/.") == 0 || strcmp(s, "/..") == 0) {
        PyErr_Format(PyExc_ValueError, "name=%R: a POSIX shared memory name is '/' and 1..254 characters without '/'",
                     name);
        return -1;
    }
    *out = s;
    return 0;
}

/* Opens (or creates, size > 0) and maps the object; -1 with an exception set. */
static int map_object_at_least(PyObject *name, size_t create_size, int mode, mapped *m, size_t min_size) {
    const char *s;
    if (shm_name_ok(name, &s) < 0) {
        return -1;
    }
    int fd;
    Py_BEGIN_ALLOW_THREADS
    fd = create_size > 0 ? shm_open(s, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t) mode)
                         : shm_open(s, O_RDWR | O_CLOEXEC, 0);
    Py_END_ALLOW_THREADS
    if (fd < 0) {
        raise_error("errno", "shm_open", name, errno, NULL);
        return -1;
    }
    size_t size = create_size;
    const char *call = NULL;
    if (create_size > 0) {
        /* exactly mode, whatever the umask; all memory reserved now (ENOSPC here rather than SIGBUS later) */
        if (fchmod(fd, (mode_t) mode) < 0) {
            call = "fchmod";
        } else {
            int r = posix_fallocate(fd, 0, (off_t) size);
            if (r == EOPNOTSUPP || r == EINVAL) {
                r = ftruncate(fd, (off_t) size) < 0 ? errno : 0;
            }
            if (r != 0) {
                errno = r;
                call = "fallocate";
            }
        }
    } else {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            call = "fstat";
        } else if ((size_t) st.st_size < min_size) {
            close(fd);
            /* before mmap, which refuses an empty object with EINVAL: say what is wrong with it instead */
            raise_error("format", "attach", name, EINVAL, "object too small for a header");
            return -1;
        } else {
            size = (size_t) st.st_size;
        }
    }
    if (call == NULL) {
        void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED) {
            call = "mmap";
        } else {
            m->base = base;
            m->size = size;
            m->fd = fd;
            /* the token of this process's parties: readable by whoever may open the object (the first object
             * decides; later calls return EBUSY, which is fine) */
            struct stat st;
            if (fstat(fd, &st) == 0) {
                jipc_live_set_access(st.st_mode & 0777, st.st_gid);
            }
            return 0;
        }
    }
    int error = errno;
    if (create_size > 0) {
        shm_unlink(s);
    }
    close(fd);
    raise_error("errno", call, name, error, NULL);
    return -1;
}

static int map_object(PyObject *name, size_t create_size, int mode, mapped *m) {
    return map_object_at_least(name, create_size, mode, m, JIPC_CHANNEL_HEADER_LENGTH);
}

static void unmap_object(mapped *m) {
    if (m->base != NULL) {
        munmap(m->base, m->size);
        m->base = NULL;
    }
    if (m->fd >= 0) {
        close(m->fd);
        m->fd = -1;
    }
}

static PyObject *py_unlink(PyObject *module, PyObject *name) {
    (void) module;
    const char *s;
    if (shm_name_ok(name, &s) < 0) {
        return NULL;
    }
    if (shm_unlink(s) < 0) {
        if (errno == ENOENT) {
            Py_RETURN_FALSE;
        }
        return raise_error("errno", "shm_unlink", name, errno, NULL);
    }
    Py_RETURN_TRUE;
}

/* ---- Channel ------------------------------------------------------------------------------------------------- */

/* The first fields of every object that exports views (Channel, Publisher, Subscriber). */
#define EXPORTER_FIELDS \
    PyObject_HEAD \
    Py_ssize_t exports;         /* views alive */ \
    const void *region;         /* the next view's bytes (set just before PyMemoryView_FromObject) */ \
    Py_ssize_t region_length; \
    int region_readonly;

typedef struct {
    EXPORTER_FIELDS
} Exporter;

typedef struct {
    EXPORTER_FIELDS
    jipc_channel ch;
    mapped m;
    PyObject *name;
    int closed;
    int busy;                   /* a thread is inside a call (waiting or in a handler) */
    PyObject *claim_view;       /* the open claim's payload view, or NULL */
    PyObject *poll_error;       /* poll: the handler's exception (type, value, traceback as one object) */
    PyObject *handler;          /* poll: the handler being called */
    PyObject *taken;            /* take: the message copied out, (type, bytes) */
    PyObject *weakrefs;
} Channel;

static PyTypeObject ChannelType;

static int exporter_getbuffer(PyObject *object, Py_buffer *view, int flags) {
    Exporter *self = (Exporter *) object;
    if (self->region == NULL) {
        PyErr_Format(PyExc_BufferError, "a %.50s exports only message and claim views (poll, claim)",
                     Py_TYPE(object)->tp_name);
        view->obj = NULL;
        return -1;
    }
    if (PyBuffer_FillInfo(view, object, (void *) self->region, self->region_length, self->region_readonly, flags) < 0) {
        return -1;
    }
    self->exports++;
    return 0;
}

static void exporter_releasebuffer(PyObject *object, Py_buffer *view) {
    (void) view;
    ((Exporter *) object)->exports--;
}

static PyBufferProcs exporter_buffer = { exporter_getbuffer, exporter_releasebuffer };

/* A memoryview of [p, p + length), exported by object (an Exporter). */
static PyObject *region_view(void *object, const void *p, Py_ssize_t length, int readonly) {
    Exporter *self = object;
    self->region = p;
    self->region_length = length;
    self->region_readonly = readonly;
    PyObject *view = PyMemoryView_FromObject((PyObject *) self);
    self->region = NULL;
    return view;
}

/* Ends a view's validity: released unless someone holds a buffer of it (then it stays an export until they let go,
 * and close() refuses meanwhile). Steals the reference. */
static void retire_view(PyObject *view) {
    if (view == NULL) {
        return;
    }
    if (Py_REFCNT(view) > 1) {
        PyObject *r = PyObject_CallMethod(view, "release", NULL);
        if (r == NULL) {
            PyErr_Clear(); /* BufferError: a buffer of it is held elsewhere */
        }
        Py_XDECREF(r);
    }
    Py_DECREF(view);
}

static int check_open(Channel *self) {
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "channel %S is closed", self->name);
        return -1;
    }
    if (self->busy) {
        PyErr_Format(PyExc_RuntimeError, "channel %S is in use by another call (another thread's wait, or a handler "
                     "calling its own channel): one thread per instance", self->name);
        return -1;
    }
    return 0;
}

static PyObject *channel_errno(Channel *self, const char *call) {
    int error = errno;
    if (error == EBUSY) {
        int consumer = strstr(call, "consumer") != NULL || strcmp(call, "poll") == 0 || strcmp(call, "take") == 0;
        return raise_error("role", call, self->name, error,
                           consumer ? "the consumer of channel" : self->ch.many ? "every producer slot of channel"
                                                                             : "the producer of channel");
    }
    if (error == EPROTO) {
        return raise_error("corrupt", call, self->name, error, "channel");
    }
    return raise_error("errno", call, self->name, error, NULL);
}

static PyObject *channel_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void) args;
    (void) kwargs;
    Channel *self = (Channel *) type->tp_alloc(type, 0);
    if (self != NULL) {
        self->m.fd = -1;
        self->closed = 1;
    }
    return (PyObject *) self;
}

/* Channel(name, create=False, capacity=0, max_message_length=0, many_producers=False, mode=0o600) */
static int channel_init(Channel *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"name", "create", "capacity", "max_message_length", "many_producers", "mode", NULL};
    PyObject *name;
    int create = 0, many = 0, mode = 0600;
    unsigned long long capacity = 0;
    unsigned int max = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|pKIpi", keywords, &name, &create, &capacity, &max, &many,
                                     &mode)) {
        return -1;
    }
    if (!self->closed || self->m.base != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Channel.__init__ called twice");
        return -1;
    }
    size_t size = 0;
    if (create) {
        if (capacity < JIPC_CHANNEL_MIN_CAPACITY || (capacity & (capacity - 1)) != 0 || capacity > (1ULL << 40)) {
            PyErr_Format(PyExc_ValueError, "capacity=%llu is not a power of two in [1024, 2^40]", capacity);
            return -1;
        }
        uint64_t limit = capacity / 8 - JIPC_RECORD_HEADER_LENGTH;
        if (limit > (uint64_t) INT32_MAX - 64) {
            limit = (uint64_t) INT32_MAX - 64;
        }
        if (max < 1 || max > limit) {
            PyErr_Format(PyExc_ValueError, "max_message_length=%u not in [1, %llu]", max, (unsigned long long) limit);
            return -1;
        }
        if (mode < 0 || mode > 0777) {
            PyErr_Format(PyExc_ValueError, "mode=0o%o not in [0, 0o777]", mode);
            return -1;
        }
        size = JIPC_CHANNEL_HEADER_LENGTH + capacity;
    }
    if (map_object(name, size, mode, &self->m) < 0) {
        return -1;
    }
    int r = create ? jipc_channel_create(&self->ch, self->m.base, self->m.size, capacity, max,
                                         many ? JIPC_CHANNEL_FLAG_MANY_PRODUCERS : 0)
                   : jipc_channel_attach(&self->ch, self->m.base, self->m.size);
    if (r != JIPC_CHANNEL_OK) {
        int error = errno;
        unmap_object(&self->m);
        if (create) {
            shm_unlink(PyUnicode_AsUTF8(name));
        }
        if (r < 0) {
            raise_error("errno", "jipc_channel_create", name, error, NULL);
        } else {
            raise_error("format", "attach", name, EINVAL, jipc_channel_strerror(r));
        }
        return -1;
    }
    Py_INCREF(name);
    self->name = name;
    self->closed = 0;
    return 0;
}

static void channel_release_roles(Channel *self) {
    jipc_channel_detach_producer(&self->ch); /* aborts an open claim */
    jipc_channel_unregister_consumer(&self->ch);
}

static PyObject *channel_close(Channel *self, PyObject *unused) {
    (void) unused;
    if (self->closed) {
        Py_RETURN_NONE;
    }
    if (self->busy) {
        PyErr_Format(PyExc_RuntimeError, "channel %S is in use by another call: cannot close it now", self->name);
        return NULL;
    }
    if (self->claim_view != NULL && Py_REFCNT(self->claim_view) == 1) {
        /* an open claim whose view nobody else holds: aborted below, with the producer role given back */
        Py_CLEAR(self->claim_view);
    }
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
        return NULL;
    }
    channel_release_roles(self);
    unmap_object(&self->m);
    self->closed = 1;
    Py_RETURN_NONE;
}

static int channel_traverse(Channel *self, visitproc visit, void *arg) {
    Py_VISIT(self->claim_view);
    return 0;
}

static int channel_clear(Channel *self) {
    Py_CLEAR(self->claim_view);
    return 0;
}

static void channel_dealloc(Channel *self) {
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *) self);
    }
    if (!self->closed) {
        /* no view can be alive: each holds a reference to this object */
        channel_release_roles(self);
        unmap_object(&self->m);
    }
    Py_XDECREF(self->claim_view);
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

/* ---- producer ---- */

static int check_type_length(Channel *self, long long type, long long length) {
    if (type < 1 || type > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "type=%lld not in [1, 2147483647]", type);
        return -1;
    }
    if (length < 0) {
        PyErr_Format(PyExc_ValueError, "length=%lld < 0", length);
        return -1;
    }
    if (length > self->ch.max_message_length) {
        PyErr_Format(PyExc_ValueError, "length=%lld > maxMessageLength=%u", length, self->ch.max_message_length);
        return -1;
    }
    return 0;
}

static int check_no_claim(Channel *self) {
    if (self->ch.claim_open) {
        PyErr_Format(PyExc_RuntimeError, "a claim is already open on channel %S: commit or abort it", self->name);
        return -1;
    }
    return 0;
}

/* Waits for room for length bytes (GIL released, slices of 100 ms, signals between them). 1 room, 0 timeout,
 * -1 exception. */
static int wait_room(Channel *self, uint32_t length, int64_t timeout) {
    int64_t deadline = timeout < 0 ? INT64_MAX : now_ns() + timeout;
    self->busy = 1;
    int result;
    for (;;) {
        int64_t slice = next_slice(deadline);
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = jipc_channel_wait_room(&self->ch, length, slice);
        Py_END_ALLOW_THREADS
        if (r != 0) {
            if (r < 0) {
                channel_errno(self, "wait_room");
            }
            result = r;
            break;
        }
        if (PyErr_CheckSignals() < 0) {
            result = -1;
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = 0;
            break;
        }
    }
    self->busy = 0;
    return result;
}

/* One claim attempt: 1 with the view in self->claim_view, 0 full, -1 exception. */
static int try_claim(Channel *self, int32_t type, uint32_t length) {
    void *p = jipc_channel_claim(&self->ch, type, length);
    if (p == NULL) {
        if (errno == 0) {
            return 0;
        }
        channel_errno(self, "claim");
        return -1;
    }
    PyObject *view = region_view(self, p, length, 0);
    if (view == NULL) {
        jipc_channel_abort(&self->ch);
        return -1;
    }
    self->claim_view = view;
    return 1;
}

static PyObject *channel_claim(Channel *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"type", "length", "timeout", NULL};
    long long type, length;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "LL|O", keywords, &type, &length, &timeout)) {
        return NULL;
    }
    if (check_open(self) < 0 || check_type_length(self, type, length) < 0 || check_no_claim(self) < 0) {
        return NULL;
    }
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2) {
        return NULL;
    }
    for (;;) {
        int r = try_claim(self, (int32_t) type, (uint32_t) length);
        if (r < 0) {
            return NULL;
        }
        if (r > 0) {
            Py_INCREF(self->claim_view);
            return self->claim_view;
        }
        if (t == 0) {
            Py_RETURN_NONE;
        }
        int64_t start = now_ns();
        r = wait_room(self, (uint32_t) length, t);
        if (r <= 0) {
            if (r < 0) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
        if (t > 0) {
            t -= now_ns() - start;
            if (t < 0) {
                t = 0;
            }
        }
    }
}

static PyObject *end_claim(Channel *self, int commit) {
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "channel %S is closed", self->name);
        return NULL;
    }
    if (!self->ch.claim_open) {
        PyErr_Format(PyExc_RuntimeError, "no open claim on channel %S: call claim first", self->name);
        return NULL;
    }
    PyObject *view = self->claim_view;
    self->claim_view = NULL;
    retire_view(view);
    if (commit) {
        jipc_channel_commit(&self->ch);
    } else {
        jipc_channel_abort(&self->ch);
    }
    Py_RETURN_NONE;
}

static PyObject *channel_commit(Channel *self, PyObject *unused) {
    (void) unused;
    return end_claim(self, 1);
}

static PyObject *channel_abort(Channel *self, PyObject *unused) {
    (void) unused;
    return end_claim(self, 0);
}

/* put(type, data, timeout=0): copies data in, waiting up to timeout (None: no limit) for room. */
static PyObject *channel_put(Channel *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"type", "data", "timeout", NULL};
    long long type;
    Py_buffer data;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Ly*|O", keywords, &type, &data, &timeout)) {
        return NULL;
    }
    PyObject *result = NULL;
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2 || check_open(self) < 0 || check_type_length(self, type, data.len) < 0 || check_no_claim(self) < 0) {
        goto done;
    }
    for (;;) {
        void *p = jipc_channel_claim(&self->ch, (int32_t) type, (uint32_t) data.len);
        if (p != NULL) {
            memcpy(p, data.buf, (size_t) data.len);
            jipc_channel_commit(&self->ch);
            result = Py_True;
            break;
        }
        if (errno != 0) {
            channel_errno(self, "claim");
            goto done;
        }
        if (t == 0) {
            result = Py_False;
            break;
        }
        int64_t start = now_ns();
        int r = wait_room(self, (uint32_t) data.len, t);
        if (r < 0) {
            goto done;
        }
        if (r == 0) {
            result = Py_False;
            break;
        }
        if (t > 0) {
            t -= now_ns() - start;
            if (t < 0) {
                t = 0;
            }
        }
    }
    Py_INCREF(result);
done:
    PyBuffer_Release(&data);
    return result;
}

static PyObject *channel_attach_producer(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    if (jipc_channel_attach_producer(&self->ch) < 0) {
        return channel_errno(self, "attach_producer");
    }
    Py_RETURN_NONE;
}

static PyObject *channel_detach_producer(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    if (self->claim_view != NULL) {
        PyObject *view = self->claim_view;
        self->claim_view = NULL;
        retire_view(view);
    }
    jipc_channel_detach_producer(&self->ch);
    Py_RETURN_NONE;
}

/* ---- consumer ---- */

static void on_message(void *context, int32_t type, const void *payload, uint32_t length) {
    Channel *self = context;
    if (self->poll_error != NULL) {
        return; /* not reached: the poll stops after a failing handler */
    }
    PyObject *view = region_view(self, payload, length, 1);
    PyObject *r = NULL;
    if (view != NULL) {
        r = PyObject_CallFunction(self->handler, "iO", (int) type, view);
    }
    if (r == NULL) {
        /* this message counts as handled (as in Java, where a throwing handler's message is consumed) */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (tb != NULL && v != NULL) {
            PyException_SetTraceback(v, tb);
        }
        self->poll_error = v != NULL ? v : PyObject_CallNoArgs(PyExc_SystemError);
        Py_XDECREF(t);
        Py_XDECREF(tb);
        jipc_channel_stop_poll(&self->ch);
    } else {
        Py_DECREF(r);
    }
    retire_view(view); /* with no exception pending: it may call memoryview.release */
}

static void on_take(void *context, int32_t type, const void *payload, uint32_t length) {
    Channel *self = context;
    self->taken = Py_BuildValue("(iy#)", (int) type, (const char *) payload, (Py_ssize_t) length);
}

/* Waits for a message (GIL released, 100 ms slices, signals between). 1 there, 0 timeout, -1 exception. */
static int wait_message(Channel *self, int64_t timeout) {
    int64_t deadline = timeout < 0 ? INT64_MAX : now_ns() + timeout;
    for (;;) {
        int64_t slice = next_slice(deadline);
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = jipc_channel_wait_message(&self->ch, slice);
        Py_END_ALLOW_THREADS
        if (r != 0) {
            return 1;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            return 0;
        }
    }
}

static int ensure_consumer(Channel *self) {
    if (self->ch.consumer_party == 0 && jipc_channel_register_consumer(&self->ch) < 0) {
        channel_errno(self, "register_consumer");
        return -1;
    }
    return 0;
}

/* poll(handler, limit=2**31-1, timeout=0) -> int */
static PyObject *channel_poll(Channel *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"handler", "limit", "timeout", NULL};
    PyObject *handler;
    int limit = INT32_MAX;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iO", keywords, &handler, &limit, &timeout)) {
        return NULL;
    }
    if (!PyCallable_Check(handler)) {
        PyErr_Format(PyExc_TypeError, "handler must be callable (type, memoryview), not %.100s",
                     Py_TYPE(handler)->tp_name);
        return NULL;
    }
    if (limit < 1) {
        PyErr_Format(PyExc_ValueError, "limit=%d < 1", limit);
        return NULL;
    }
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2 || check_open(self) < 0 || ensure_consumer(self) < 0) {
        return NULL;
    }
    self->busy = 1;
    int n = jipc_channel_has_message(&self->ch) || t == 0 ? 1 : wait_message(self, t);
    if (n > 0) {
        self->handler = handler;
        n = jipc_channel_poll(&self->ch, on_message, self, limit);
        self->handler = NULL;
    }
    int error = errno;
    self->busy = 0;
    if (self->poll_error != NULL) {
        PyObject *e = self->poll_error;
        self->poll_error = NULL;
        PyErr_SetObject((PyObject *) Py_TYPE(e), e);
        Py_DECREF(e);
        return NULL;
    }
    if (n < 0) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        errno = error;
        return channel_errno(self, "poll");
    }
    return PyLong_FromLong(n);
}

/* take(timeout=None) -> (type, bytes) or None on timeout */
static PyObject *channel_take(Channel *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &timeout)) {
        return NULL;
    }
    int64_t t = timeout_ns(timeout);
    if (t == -2 || check_open(self) < 0 || ensure_consumer(self) < 0) {
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->busy = 1;
    PyObject *result = NULL;
    for (;;) {
        if (!jipc_channel_has_message(&self->ch)) {
            int64_t left = deadline == INT64_MAX ? -1 : deadline - now_ns();
            int w = wait_message(self, left < 0 && deadline != INT64_MAX ? 0 : left);
            if (w < 0) {
                break;
            }
            if (w == 0) {
                result = Py_NewRef(Py_None);
                break;
            }
        }
        int n = jipc_channel_poll(&self->ch, on_take, self, 1);
        if (n < 0) {
            Py_CLEAR(self->taken);
            channel_errno(self, "poll");
            break;
        }
        if (n > 0) {
            result = self->taken; /* NULL after a MemoryError in the copy */
            self->taken = NULL;
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = Py_NewRef(Py_None);
            break;
        }
    }
    self->busy = 0;
    return result;
}

static PyObject *channel_register_consumer(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0 || ensure_consumer(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *channel_unregister_consumer(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    jipc_channel_unregister_consumer(&self->ch);
    Py_RETURN_NONE;
}

static PyObject *channel_has_message(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(jipc_channel_has_message(&self->ch));
}

static PyObject *channel_populate(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    if (mapped_populate(&self->m) < 0) {
        return raise_error("errno", "madvise", self->name, errno, NULL);
    }
    Py_RETURN_NONE;
}

static PyObject *channel_consumer_alive(Channel *self, PyObject *unused) {
    (void) unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(jipc_channel_consumer_alive(&self->ch));
}

/* positions() -> (head, tail): a snapshot */
static PyObject *channel_positions(Channel *self, PyObject *unused) {
    (void) unused;
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "channel %S is closed", self->name);
        return NULL;
    }
    uint64_t head = __atomic_load_n((uint64_t *) (self->m.base + JIPC_CHANNEL_HEAD_OFFSET), __ATOMIC_ACQUIRE);
    uint64_t tail = __atomic_load_n((uint64_t *) (self->m.base + JIPC_CHANNEL_TAIL_OFFSET), __ATOMIC_ACQUIRE);
    return Py_BuildValue("(LL)", (long long) head, (long long) tail);
}

/* consumer_pid() -> int: display only, 0 if no consumer holds the role */
static PyObject *channel_consumer_pid(Channel *self, PyObject *unused) {
    (void) unused;
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "channel %S is closed", self->name);
        return NULL;
    }
    uint64_t party = __atomic_load_n((uint64_t *) (self->m.base + JIPC_CHANNEL_CONSUMER_PARTY_OFFSET),
                                     __ATOMIC_ACQUIRE);
    uint32_t pid = __atomic_load_n((uint32_t *) (self->m.base + JIPC_CHANNEL_CONSUMER_PID_OFFSET), __ATOMIC_ACQUIRE);
    return PyLong_FromLong(party == 0 ? 0 : (long) pid);
}

static PyObject *channel_get_capacity(Channel *self, void *unused) {
    (void) unused;
    return PyLong_FromUnsignedLongLong(self->ch.capacity);
}

static PyObject *channel_get_max(Channel *self, void *unused) {
    (void) unused;
    return PyLong_FromUnsignedLong(self->ch.max_message_length);
}

static PyObject *channel_get_many(Channel *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->ch.many);
}

static PyObject *channel_get_closed(Channel *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->closed);
}

static PyObject *channel_get_name(Channel *self, void *unused) {
    (void) unused;
    return Py_NewRef(self->name != NULL ? self->name : Py_None);
}

static PyObject *channel_get_exports(Channel *self, void *unused) {
    (void) unused;
    return PyLong_FromSsize_t(self->exports);
}

static PyObject *channel_get_claim_open(Channel *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(!self->closed && self->ch.claim_open);
}

static PyMethodDef channel_methods[] = {
    {"close", (PyCFunction) channel_close, METH_NOARGS, NULL},
    {"claim", (PyCFunction) (void (*)(void)) channel_claim, METH_VARARGS | METH_KEYWORDS, NULL},
    {"commit", (PyCFunction) channel_commit, METH_NOARGS, NULL},
    {"abort", (PyCFunction) channel_abort, METH_NOARGS, NULL},
    {"put", (PyCFunction) (void (*)(void)) channel_put, METH_VARARGS | METH_KEYWORDS, NULL},
    {"attach_producer", (PyCFunction) channel_attach_producer, METH_NOARGS, NULL},
    {"detach_producer", (PyCFunction) channel_detach_producer, METH_NOARGS, NULL},
    {"poll", (PyCFunction) (void (*)(void)) channel_poll, METH_VARARGS | METH_KEYWORDS, NULL},
    {"take", (PyCFunction) (void (*)(void)) channel_take, METH_VARARGS | METH_KEYWORDS, NULL},
    {"register_consumer", (PyCFunction) channel_register_consumer, METH_NOARGS, NULL},
    {"unregister_consumer", (PyCFunction) channel_unregister_consumer, METH_NOARGS, NULL},
    {"has_message", (PyCFunction) channel_has_message, METH_NOARGS, NULL},
    {"populate", (PyCFunction) channel_populate, METH_NOARGS, NULL},
    {"consumer_alive", (PyCFunction) channel_consumer_alive, METH_NOARGS, NULL},
    {"consumer_pid", (PyCFunction) channel_consumer_pid, METH_NOARGS, NULL},
    {"positions", (PyCFunction) channel_positions, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef channel_getset[] = {
    {"capacity", (getter) channel_get_capacity, NULL, NULL, NULL},
    {"max_message_length", (getter) channel_get_max, NULL, NULL, NULL},
    {"many_producers", (getter) channel_get_many, NULL, NULL, NULL},
    {"closed", (getter) channel_get_closed, NULL, NULL, NULL},
    {"name", (getter) channel_get_name, NULL, NULL, NULL},
    {"exports", (getter) channel_get_exports, NULL, NULL, NULL},
    {"claim_open", (getter) channel_get_claim_open, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject ChannelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Channel",
    .tp_basicsize = sizeof(Channel),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc) channel_traverse,
    .tp_clear = (inquiry) channel_clear,
    .tp_doc = "The native half of jipc.Channel (see jipc/channel.py).",
    .tp_new = channel_new,
    .tp_init = (initproc) channel_init,
    .tp_dealloc = (destructor) channel_dealloc,
    .tp_as_buffer = &exporter_buffer,
    .tp_methods = channel_methods,
    .tp_getset = channel_getset,
    .tp_weaklistoffset = offsetof(Channel, weakrefs),
};

/* ---- Topic ------------------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    jipc_topic t;
    mapped m;
    PyObject *name;
    int closed;
    int ends;                   /* publishers and subscribers open on it */
    PyObject *weakrefs;
} Topic;

typedef struct {
    EXPORTER_FIELDS
    jipc_topic_publisher p;
    Topic *topic;
    int open;
    int busy;
    PyObject *claim_view;
} Publisher;

typedef struct {
    EXPORTER_FIELDS
    jipc_topic_subscriber s;
    Topic *topic;
    int open;
    int busy;
    PyObject *handler;
    PyObject *poll_error;
    PyObject *taken;
} Subscriber;

static PyTypeObject TopicType, PublisherType, SubscriberType;

static PyObject *topic_errno(PyObject *name, const char *call, const char *role) {
    int error = errno;
    if (error == EBUSY) {
        return raise_error("role", call, name, error, role);
    }
    if (error == EPROTO) {
        return raise_error("corrupt", call, name, error, "topic");
    }
    return raise_error("errno", call, name, error, NULL);
}

static PyObject *topic_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void) args;
    (void) kwargs;
    Topic *self = (Topic *) type->tp_alloc(type, 0);
    if (self != NULL) {
        self->m.fd = -1;
        self->closed = 1;
    }
    return (PyObject *) self;
}

/* Topic(name, create=False, capacity=0, max_message_length=0, overwrite=False, mode=0o600) */
static int topic_init(Topic *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"name", "create", "capacity", "max_message_length", "overwrite", "mode", NULL};
    PyObject *name;
    int create = 0, overwrite = 0, mode = 0600;
    unsigned long long capacity = 0;
    unsigned int max = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|pKIpi", keywords, &name, &create, &capacity, &max, &overwrite,
                                     &mode)) {
        return -1;
    }
    if (!self->closed || self->m.base != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Topic.__init__ called twice");
        return -1;
    }
    size_t size = 0;
    if (create) {
        if (capacity < JIPC_TOPIC_MIN_CAPACITY || (capacity & (capacity - 1)) != 0 || capacity > (1ULL << 40)) {
            PyErr_Format(PyExc_ValueError, "capacity=%llu is not a power of two in [1024, 2^40]", capacity);
            return -1;
        }
        uint64_t limit = capacity / 8 - JIPC_TOPIC_RECORD_HEADER_LENGTH;
        if (limit > (uint64_t) INT32_MAX - 64) {
            limit = (uint64_t) INT32_MAX - 64;
        }
        if (max < 1 || max > limit) {
            PyErr_Format(PyExc_ValueError, "max_message_length=%u not in [1, %llu]", max, (unsigned long long) limit);
            return -1;
        }
        if (mode < 0 || mode > 0777) {
            PyErr_Format(PyExc_ValueError, "mode=0o%o not in [0, 0o777]", mode);
            return -1;
        }
        size = JIPC_TOPIC_SIZE(capacity);
    }
    if (map_object(name, size, mode, &self->m) < 0) {
        return -1;
    }
    int r = JIPC_TOPIC_OK;
    if (create) {
        r = jipc_topic_create(self->m.base, self->m.size, (int64_t) capacity, max,
                              overwrite ? JIPC_TOPIC_FLAG_OVERWRITE : 0);
    }
    if (r == JIPC_TOPIC_OK) {
        r = jipc_topic_attach(&self->t, self->m.base, self->m.size);
    }
    if (r != JIPC_TOPIC_OK) {
        unmap_object(&self->m);
        if (create) {
            shm_unlink(PyUnicode_AsUTF8(name));
        }
        raise_error("format", create ? "create" : "attach", name, EINVAL, jipc_topic_strerror(r));
        return -1;
    }
    Py_INCREF(name);
    self->name = name;
    self->closed = 0;
    return 0;
}

static PyObject *topic_close(Topic *self, PyObject *unused) {
    (void) unused;
    if (self->closed) {
        Py_RETURN_NONE;
    }
    if (self->ends > 0) {
        PyErr_Format(PyExc_RuntimeError, "topic %S has %d publisher(s) or subscriber(s) open: close them first",
                     self->name, self->ends);
        return NULL;
    }
    unmap_object(&self->m);
    self->closed = 1;
    Py_RETURN_NONE;
}

static void topic_dealloc(Topic *self) {
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *) self);
    }
    if (!self->closed) {
        unmap_object(&self->m); /* no end is open: each holds a reference to this object */
    }
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static int topic_check_open(Topic *self) {
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "topic %S is closed", self->name);
        return -1;
    }
    return 0;
}

static PyObject *topic_publisher(Topic *self, PyObject *unused) {
    (void) unused;
    if (topic_check_open(self) < 0) {
        return NULL;
    }
    Publisher *p = (Publisher *) PublisherType.tp_alloc(&PublisherType, 0);
    if (p == NULL) {
        return NULL;
    }
    if (jipc_topic_publisher_open(&p->p, &self->t) < 0) {
        Py_DECREF(p);
        return topic_errno(self->name, "publisher", "the publisher of topic");
    }
    p->topic = (Topic *) Py_NewRef((PyObject *) self);
    p->open = 1;
    self->ends++;
    return (PyObject *) p;
}

static PyObject *topic_subscriber(Topic *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"history", NULL};
    long long history = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|L", keywords, &history)) {
        return NULL;
    }
    if (topic_check_open(self) < 0) {
        return NULL;
    }
    if (history < 0) {
        PyErr_Format(PyExc_ValueError, "history=%lld < 0", history);
        return NULL;
    }
    Subscriber *s = (Subscriber *) SubscriberType.tp_alloc(&SubscriberType, 0);
    if (s == NULL) {
        return NULL;
    }
    if (jipc_topic_subscriber_open(&s->s, &self->t, history) < 0) {
        Py_DECREF(s);
        return topic_errno(self->name, "subscribe", "every subscriber slot of topic");
    }
    s->topic = (Topic *) Py_NewRef((PyObject *) self);
    s->open = 1;
    self->ends++;
    return (PyObject *) s;
}

/* positions() -> (oldest, tail) */
static PyObject *topic_positions(Topic *self, PyObject *unused) {
    (void) unused;
    if (topic_check_open(self) < 0) {
        return NULL;
    }
    int64_t oldest = __atomic_load_n((int64_t *) (self->m.base + JIPC_TOPIC_OLDEST_OFFSET), __ATOMIC_ACQUIRE);
    int64_t tail = __atomic_load_n((int64_t *) (self->m.base + JIPC_TOPIC_TAIL_OFFSET), __ATOMIC_ACQUIRE);
    return Py_BuildValue("(LL)", (long long) oldest, (long long) tail);
}

static PyObject *topic_get_capacity(Topic *self, void *unused) {
    (void) unused;
    return PyLong_FromLongLong(self->t.capacity);
}

static PyObject *topic_get_max(Topic *self, void *unused) {
    (void) unused;
    return PyLong_FromUnsignedLong(self->t.max_message_length);
}

static PyObject *topic_get_overwrite(Topic *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->t.overwrite);
}

static PyObject *topic_get_closed(Topic *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->closed);
}

static PyObject *topic_get_name(Topic *self, void *unused) {
    (void) unused;
    return Py_NewRef(self->name != NULL ? self->name : Py_None);
}

static PyMethodDef topic_methods[] = {
    {"close", (PyCFunction) topic_close, METH_NOARGS, NULL},
    {"publisher", (PyCFunction) topic_publisher, METH_NOARGS, NULL},
    {"subscriber", (PyCFunction) (void (*)(void)) topic_subscriber, METH_VARARGS | METH_KEYWORDS, NULL},
    {"positions", (PyCFunction) topic_positions, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef topic_getset[] = {
    {"capacity", (getter) topic_get_capacity, NULL, NULL, NULL},
    {"max_message_length", (getter) topic_get_max, NULL, NULL, NULL},
    {"overwrite", (getter) topic_get_overwrite, NULL, NULL, NULL},
    {"closed", (getter) topic_get_closed, NULL, NULL, NULL},
    {"name", (getter) topic_get_name, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject TopicType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Topic",
    .tp_basicsize = sizeof(Topic),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.Topic (see jipc/topic.py).",
    .tp_new = topic_new,
    .tp_init = (initproc) topic_init,
    .tp_dealloc = (destructor) topic_dealloc,
    .tp_methods = topic_methods,
    .tp_getset = topic_getset,
    .tp_weaklistoffset = offsetof(Topic, weakrefs),
};

/* ---- publisher ---- */

static int publisher_check(Publisher *self) {
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "publisher is closed");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "publisher is in use by another call: one thread per instance");
        return -1;
    }
    return 0;
}

static int publisher_check_message(Publisher *self, long long type, long long length) {
    if (type < 1 || type > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "type=%lld not in [1, 2147483647]", type);
        return -1;
    }
    if (length < 0) {
        PyErr_Format(PyExc_ValueError, "length=%lld < 0", length);
        return -1;
    }
    if (length > self->p.topic.max_message_length) {
        PyErr_Format(PyExc_ValueError, "length=%lld > maxMessageLength=%u", length, self->p.topic.max_message_length);
        return -1;
    }
    if (self->p.claimed) {
        PyErr_SetString(PyExc_RuntimeError, "a claim is already open on this publisher: commit or abort it");
        return -1;
    }
    return 0;
}

/* Waits for room (GIL released, 100 ms slices, signals between). 1 room, 0 timeout, -1 exception. */
static int publisher_wait_room(Publisher *self, uint32_t length, int64_t deadline) {
    self->busy = 1;
    int result;
    for (;;) {
        int64_t slice = next_slice(deadline);
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = jipc_topic_publisher_wait_room(&self->p, length, slice);
        Py_END_ALLOW_THREADS
        if (r != 0) {
            if (r < 0) {
                topic_errno(self->topic->name, "wait_room", NULL);
            }
            result = r;
            break;
        }
        if (PyErr_CheckSignals() < 0) {
            result = -1;
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = 0;
            break;
        }
    }
    self->busy = 0;
    return result;
}

/* put(type, data, timeout=0) -> bool */
static PyObject *publisher_put(Publisher *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"type", "data", "timeout", NULL};
    long long type;
    Py_buffer data;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Ly*|O", keywords, &type, &data, &timeout)) {
        return NULL;
    }
    PyObject *result = NULL;
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2 || publisher_check(self) < 0 || publisher_check_message(self, type, data.len) < 0) {
        goto done;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    for (;;) {
        int r = jipc_topic_publisher_offer(&self->p, (int32_t) type, data.buf, (uint32_t) data.len);
        if (r < 0) {
            topic_errno(self->topic->name, "offer", NULL);
            goto done;
        }
        if (r > 0) {
            result = Py_True;
            break;
        }
        if (t == 0) {
            result = Py_False;
            break;
        }
        r = publisher_wait_room(self, (uint32_t) data.len, deadline);
        if (r < 0) {
            goto done;
        }
        if (r == 0) {
            result = Py_False;
            break;
        }
    }
    Py_INCREF(result);
done:
    PyBuffer_Release(&data);
    return result;
}

/* claim(type, length, timeout=0) -> memoryview | None */
static PyObject *publisher_claim(Publisher *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"type", "length", "timeout", NULL};
    long long type, length;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "LL|O", keywords, &type, &length, &timeout)) {
        return NULL;
    }
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2 || publisher_check(self) < 0 || publisher_check_message(self, type, length) < 0) {
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    for (;;) {
        void *room = jipc_topic_publisher_claim(&self->p, (int32_t) type, (uint32_t) length);
        if (room != NULL) {
            PyObject *view = region_view(self, room, (Py_ssize_t) length, 0);
            if (view == NULL) {
                jipc_topic_publisher_abort(&self->p);
                return NULL;
            }
            self->claim_view = view;
            return Py_NewRef(view);
        }
        if (errno != EAGAIN) {
            return topic_errno(self->topic->name, "claim", NULL);
        }
        if (t == 0) {
            Py_RETURN_NONE;
        }
        int r = publisher_wait_room(self, (uint32_t) length, deadline);
        if (r < 0) {
            return NULL;
        }
        if (r == 0) {
            Py_RETURN_NONE;
        }
    }
}

static PyObject *publisher_end_claim(Publisher *self, int commit) {
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "publisher is closed");
        return NULL;
    }
    if (!self->p.claimed) {
        PyErr_SetString(PyExc_RuntimeError, "no open claim on this publisher: call claim first");
        return NULL;
    }
    PyObject *view = self->claim_view;
    self->claim_view = NULL;
    retire_view(view);
    if (commit) {
        jipc_topic_publisher_commit(&self->p);
    } else {
        jipc_topic_publisher_abort(&self->p);
    }
    Py_RETURN_NONE;
}

static PyObject *publisher_commit(Publisher *self, PyObject *unused) {
    (void) unused;
    return publisher_end_claim(self, 1);
}

static PyObject *publisher_abort(Publisher *self, PyObject *unused) {
    (void) unused;
    return publisher_end_claim(self, 0);
}

static void publisher_release(Publisher *self) {
    if (self->open) {
        jipc_topic_publisher_close(&self->p); /* aborts an open claim, gives the role back */
        self->open = 0;
        self->topic->ends--;
    }
}

static PyObject *publisher_close(Publisher *self, PyObject *unused) {
    (void) unused;
    if (!self->open) {
        Py_RETURN_NONE;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "publisher is in use by another call: cannot close it now");
        return NULL;
    }
    if (self->claim_view != NULL && Py_REFCNT(self->claim_view) == 1) {
        Py_CLEAR(self->claim_view);
    }
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
        return NULL;
    }
    publisher_release(self);
    Py_RETURN_NONE;
}

static int publisher_traverse(Publisher *self, visitproc visit, void *arg) {
    Py_VISIT(self->claim_view);
    Py_VISIT(self->topic);
    return 0;
}

static int publisher_clear(Publisher *self) {
    Py_CLEAR(self->claim_view);
    return 0;
}

static void publisher_dealloc(Publisher *self) {
    PyObject_GC_UnTrack(self);
    if (self->topic != NULL) {
        publisher_release(self);
    }
    Py_XDECREF(self->claim_view);
    Py_XDECREF(self->topic);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *publisher_get_open(Publisher *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->open);
}

static PyObject *publisher_get_exports(Publisher *self, void *unused) {
    (void) unused;
    return PyLong_FromSsize_t(self->exports);
}

static PyObject *publisher_get_next(Publisher *self, void *unused) {
    (void) unused;
    return PyLong_FromLongLong(self->p.next);
}

static PyMethodDef publisher_methods[] = {
    {"put", (PyCFunction) (void (*)(void)) publisher_put, METH_VARARGS | METH_KEYWORDS, NULL},
    {"claim", (PyCFunction) (void (*)(void)) publisher_claim, METH_VARARGS | METH_KEYWORDS, NULL},
    {"commit", (PyCFunction) publisher_commit, METH_NOARGS, NULL},
    {"abort", (PyCFunction) publisher_abort, METH_NOARGS, NULL},
    {"close", (PyCFunction) publisher_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef publisher_getset[] = {
    {"open", (getter) publisher_get_open, NULL, NULL, NULL},
    {"exports", (getter) publisher_get_exports, NULL, NULL, NULL},
    {"next_sequence", (getter) publisher_get_next, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject PublisherType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Publisher",
    .tp_basicsize = sizeof(Publisher),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The native half of jipc.Publisher (see jipc/topic.py).",
    .tp_traverse = (traverseproc) publisher_traverse,
    .tp_clear = (inquiry) publisher_clear,
    .tp_dealloc = (destructor) publisher_dealloc,
    .tp_as_buffer = &exporter_buffer,
    .tp_methods = publisher_methods,
    .tp_getset = publisher_getset,
};

/* ---- subscriber ---- */

static int subscriber_check(Subscriber *self) {
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "subscriber is closed");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "subscriber is in use by another call (another thread's wait, or a "
                        "handler calling its own subscriber): one thread per instance");
        return -1;
    }
    return 0;
}

static void on_topic_message(void *context, int32_t type, const void *payload, uint32_t length) {
    Subscriber *self = context;
    PyObject *view = region_view(self, payload, length, 1);
    PyObject *r = NULL;
    if (view != NULL) {
        r = PyObject_CallFunction(self->handler, "iO", (int) type, view);
    }
    if (r == NULL) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (tb != NULL && v != NULL) {
            PyException_SetTraceback(v, tb);
        }
        self->poll_error = v != NULL ? v : PyObject_CallNoArgs(PyExc_SystemError);
        Py_XDECREF(t);
        Py_XDECREF(tb);
    } else {
        Py_DECREF(r);
    }
    retire_view(view);
}

static void on_topic_take(void *context, int32_t type, const void *payload, uint32_t length) {
    Subscriber *self = context;
    self->taken = Py_BuildValue("(iy#)", (int) type, (const char *) payload, (Py_ssize_t) length);
}

/* Waits for a message (GIL released, 100 ms slices, signals between). 1 there, 0 timeout, -1 exception. */
static int subscriber_wait(Subscriber *self, int64_t deadline) {
    for (;;) {
        int64_t slice = next_slice(deadline);
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = jipc_topic_subscriber_wait(&self->s, slice);
        Py_END_ALLOW_THREADS
        if (r != 0) {
            if (r < 0) {
                topic_errno(self->topic->name, "wait", NULL);
            }
            return r;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            return 0;
        }
    }
}

/* poll(handler, limit=2**31-1, timeout=0) -> int. One message per call of the twin, so that a handler's exception
 * stops the poll with that message delivered and nothing after it. */
static PyObject *subscriber_poll(Subscriber *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"handler", "limit", "timeout", NULL};
    PyObject *handler;
    int limit = INT32_MAX;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iO", keywords, &handler, &limit, &timeout)) {
        return NULL;
    }
    if (!PyCallable_Check(handler)) {
        PyErr_Format(PyExc_TypeError, "handler must be callable (type, memoryview), not %.100s",
                     Py_TYPE(handler)->tp_name);
        return NULL;
    }
    if (limit < 1) {
        PyErr_Format(PyExc_ValueError, "limit=%d < 1", limit);
        return NULL;
    }
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2 || subscriber_check(self) < 0) {
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->busy = 1;
    int handled = 0, failed = 0;
    if (t != 0 && !jipc_topic_subscriber_has_message(&self->s)) {
        int w = subscriber_wait(self, deadline);
        failed = w < 0;
    }
    self->handler = handler;
    while (!failed && handled < limit) {
        int n = jipc_topic_subscriber_poll(&self->s, on_topic_message, self, 1);
        if (n < 0) {
            if (self->poll_error == NULL) {
                topic_errno(self->topic->name, "poll", NULL);
            }
            failed = 1;
            break;
        }
        handled += n;
        if (self->poll_error != NULL || n == 0) {
            break;
        }
    }
    self->handler = NULL;
    self->busy = 0;
    if (self->poll_error != NULL) {
        PyObject *e = self->poll_error;
        self->poll_error = NULL;
        PyErr_SetObject((PyObject *) Py_TYPE(e), e);
        Py_DECREF(e);
        return NULL;
    }
    if (failed) {
        return NULL;
    }
    return PyLong_FromLong(handled);
}

/* take(timeout=None) -> (type, bytes) | None */
static PyObject *subscriber_take(Subscriber *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &timeout)) {
        return NULL;
    }
    int64_t t = timeout_ns(timeout);
    if (t == -2 || subscriber_check(self) < 0) {
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->busy = 1;
    PyObject *result = NULL;
    for (;;) {
        if (!jipc_topic_subscriber_has_message(&self->s)) {
            int w = subscriber_wait(self, deadline);
            if (w < 0) {
                break;
            }
            if (w == 0) {
                result = Py_NewRef(Py_None);
                break;
            }
        }
        int n = jipc_topic_subscriber_poll(&self->s, on_topic_take, self, 1);
        if (n < 0) {
            Py_CLEAR(self->taken);
            topic_errno(self->topic->name, "poll", NULL);
            break;
        }
        if (n > 0) {
            result = self->taken;
            self->taken = NULL;
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = Py_NewRef(Py_None);
            break;
        }
    }
    self->busy = 0;
    return result;
}

static void subscriber_release(Subscriber *self) {
    if (self->open) {
        jipc_topic_subscriber_close(&self->s);
        self->open = 0;
        self->topic->ends--;
    }
}

static PyObject *subscriber_close(Subscriber *self, PyObject *unused) {
    (void) unused;
    if (!self->open) {
        Py_RETURN_NONE;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "subscriber is in use by another call: cannot close it now");
        return NULL;
    }
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
        return NULL;
    }
    subscriber_release(self);
    Py_RETURN_NONE;
}

static void subscriber_dealloc(Subscriber *self) {
    if (self->topic != NULL) {
        subscriber_release(self);
    }
    Py_XDECREF(self->topic);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *subscriber_has_message(Subscriber *self, PyObject *unused) {
    (void) unused;
    if (subscriber_check(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(jipc_topic_subscriber_has_message(&self->s));
}

static PyObject *subscriber_get_open(Subscriber *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->open);
}

static PyObject *subscriber_get_received(Subscriber *self, void *unused) {
    (void) unused;
    return PyLong_FromLongLong(self->s.received);
}

static PyObject *subscriber_get_lost(Subscriber *self, void *unused) {
    (void) unused;
    return PyLong_FromLongLong(self->s.lost);
}

static PyObject *subscriber_get_expected(Subscriber *self, void *unused) {
    (void) unused;
    return PyLong_FromLongLong(self->s.expected);
}

static PyObject *subscriber_get_slot(Subscriber *self, void *unused) {
    (void) unused;
    return PyLong_FromLong(self->s.slot);
}

static PyObject *subscriber_get_exports(Subscriber *self, void *unused) {
    (void) unused;
    return PyLong_FromSsize_t(self->exports);
}

static PyMethodDef subscriber_methods[] = {
    {"poll", (PyCFunction) (void (*)(void)) subscriber_poll, METH_VARARGS | METH_KEYWORDS, NULL},
    {"take", (PyCFunction) (void (*)(void)) subscriber_take, METH_VARARGS | METH_KEYWORDS, NULL},
    {"has_message", (PyCFunction) subscriber_has_message, METH_NOARGS, NULL},
    {"close", (PyCFunction) subscriber_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef subscriber_getset[] = {
    {"open", (getter) subscriber_get_open, NULL, NULL, NULL},
    {"received", (getter) subscriber_get_received, NULL, NULL, NULL},
    {"lost", (getter) subscriber_get_lost, NULL, NULL, NULL},
    {"expected_sequence", (getter) subscriber_get_expected, NULL, NULL, NULL},
    {"slot", (getter) subscriber_get_slot, NULL, NULL, NULL},
    {"exports", (getter) subscriber_get_exports, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject SubscriberType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Subscriber",
    .tp_basicsize = sizeof(Subscriber),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.Subscriber (see jipc/topic.py).",
    .tp_dealloc = (destructor) subscriber_dealloc,
    .tp_as_buffer = &exporter_buffer,
    .tp_methods = subscriber_methods,
    .tp_getset = subscriber_getset,
};

/* ---- Semaphore (jipc's, in a shared memory object of its own) ------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    mapped m;
    PyObject *name;
    int closed;
    int waiting;                /* threads of this process inside acquire on this instance */
} Semaphore;

static PyTypeObject SemaphoreType;

static PyObject *semaphore_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void) args;
    (void) kwargs;
    Semaphore *self = (Semaphore *) type->tp_alloc(type, 0);
    if (self != NULL) {
        self->m.fd = -1;
        self->closed = 1;
    }
    return (PyObject *) self;
}

/* Semaphore(name, create=False, initial=0, max=2**31-1, mode=0o600) */
static int semaphore_init(Semaphore *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"name", "create", "initial", "max", "mode", NULL};
    PyObject *name;
    int create = 0, mode = 0600;
    long long initial = 0, max = INT32_MAX;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|pLLi", keywords, &name, &create, &initial, &max, &mode)) {
        return -1;
    }
    if (!self->closed || self->m.base != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Semaphore.__init__ called twice");
        return -1;
    }
    if (create) {
        if (max < 1 || max > INT32_MAX) {
            PyErr_Format(PyExc_ValueError, "max=%lld not in [1, 2147483647]", max);
            return -1;
        }
        if (initial < 0 || initial > max) {
            PyErr_Format(PyExc_ValueError, "initial=%lld not in [0, max=%lld]", initial, max);
            return -1;
        }
        if (mode < 0 || mode > 0777) {
            PyErr_Format(PyExc_ValueError, "mode=0o%o not in [0, 0o777]", mode);
            return -1;
        }
    }
    if (map_object_at_least(name, create ? JIPC_SEM_LENGTH : 0, mode, &self->m, JIPC_SEM_LENGTH) < 0) {
        return -1;
    }
    int r = create ? jipc_sem_create(self->m.base, (int32_t) initial, (int32_t) max) : jipc_sem_attach(self->m.base);
    if (r != JIPC_SEM_OK) {
        unmap_object(&self->m);
        if (create) {
            shm_unlink(PyUnicode_AsUTF8(name));
        }
        raise_error("format", create ? "create" : "attach", name, EINVAL, jipc_sem_strerror(r));
        return -1;
    }
    Py_INCREF(name);
    self->name = name;
    self->closed = 0;
    return 0;
}

static int semaphore_check(Semaphore *self) {
    if (self->closed) {
        PyErr_Format(PyExc_ValueError, "semaphore %S is closed", self->name);
        return -1;
    }
    return 0;
}

static PyObject *semaphore_try_acquire(Semaphore *self, PyObject *unused) {
    (void) unused;
    if (semaphore_check(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(jipc_sem_try_acquire(self->m.base));
}

/* acquire(timeout=None) -> bool: slices of at most 100 ms with the GIL released, signal handlers between them. */
static PyObject *semaphore_acquire(Semaphore *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &timeout)) {
        return NULL;
    }
    int64_t t = timeout_ns(timeout);
    if (t == -2 || semaphore_check(self) < 0) {
        return NULL;
    }
    if (jipc_sem_try_acquire(self->m.base)) {
        Py_RETURN_TRUE;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->waiting++; /* the mapping stays while a thread waits: close refuses */
    PyObject *result = NULL;
    for (;;) {
        int64_t slice = next_slice(deadline);
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = jipc_sem_acquire(self->m.base, slice, 1);
        Py_END_ALLOW_THREADS
        if (r) {
            result = Py_NewRef(Py_True);
            break;
        }
        if (PyErr_CheckSignals() < 0) {
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = Py_NewRef(Py_False);
            break;
        }
    }
    self->waiting--;
    return result;
}

static PyObject *semaphore_release(Semaphore *self, PyObject *args) {
    int n = 1;
    if (!PyArg_ParseTuple(args, "|i", &n)) {
        return NULL;
    }
    if (semaphore_check(self) < 0) {
        return NULL;
    }
    if (n < 1) {
        PyErr_Format(PyExc_ValueError, "permits=%d < 1", n);
        return NULL;
    }
    if (jipc_sem_release(self->m.base, n) < 0) {
        PyErr_Format(PyExc_ValueError, "release: count=%d + permits=%d > max=%d", jipc_sem_available(self->m.base),
                     n, jipc_sem_max(self->m.base));
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *semaphore_close(Semaphore *self, PyObject *unused) {
    (void) unused;
    if (self->closed) {
        Py_RETURN_NONE;
    }
    if (self->waiting > 0) {
        PyErr_Format(PyExc_RuntimeError, "semaphore %S has %d thread(s) waiting in acquire: cannot close it now",
                     self->name, self->waiting);
        return NULL;
    }
    unmap_object(&self->m);
    self->closed = 1;
    Py_RETURN_NONE;
}

static void semaphore_dealloc(Semaphore *self) {
    if (!self->closed) {
        unmap_object(&self->m);
    }
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *semaphore_get_available(Semaphore *self, void *unused) {
    (void) unused;
    if (semaphore_check(self) < 0) {
        return NULL;
    }
    return PyLong_FromLong(jipc_sem_available(self->m.base));
}

static PyObject *semaphore_get_max(Semaphore *self, void *unused) {
    (void) unused;
    if (semaphore_check(self) < 0) {
        return NULL;
    }
    return PyLong_FromLong(jipc_sem_max(self->m.base));
}

static PyObject *semaphore_get_closed(Semaphore *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->closed);
}

static PyObject *semaphore_get_name(Semaphore *self, void *unused) {
    (void) unused;
    return Py_NewRef(self->name != NULL ? self->name : Py_None);
}

static PyMethodDef semaphore_methods[] = {
    {"try_acquire", (PyCFunction) semaphore_try_acquire, METH_NOARGS, NULL},
    {"acquire", (PyCFunction) (void (*)(void)) semaphore_acquire, METH_VARARGS | METH_KEYWORDS, NULL},
    {"release", (PyCFunction) semaphore_release, METH_VARARGS, NULL},
    {"close", (PyCFunction) semaphore_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef semaphore_getset[] = {
    {"available", (getter) semaphore_get_available, NULL, NULL, NULL},
    {"max", (getter) semaphore_get_max, NULL, NULL, NULL},
    {"closed", (getter) semaphore_get_closed, NULL, NULL, NULL},
    {"name", (getter) semaphore_get_name, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject SemaphoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Semaphore",
    .tp_basicsize = sizeof(Semaphore),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.Semaphore (see jipc/sync.py).",
    .tp_new = semaphore_new,
    .tp_init = (initproc) semaphore_init,
    .tp_dealloc = (destructor) semaphore_dealloc,
    .tp_methods = semaphore_methods,
    .tp_getset = semaphore_getset,
};

/* ---- NamedSemaphore (POSIX, sem_open) --------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    sem_t *sem;
    PyObject *name;
    int created;
    int waiting;
} NamedSemaphore;

static PyTypeObject NamedSemaphoreType;

static int sem_name_ok(PyObject *name, const char **out) {
    const char *s = PyUnicode_AsUTF8(name);
    if (s == NULL) {
        return -1;
    }
    size_t n = strlen(s);
    if (n < 2 || n > 252 || s[0] != '/' || strchr(s + 1, '/') != NULL || (Py_ssize_t) n != PyUnicode_GET_LENGTH(name)
        || strcmp(s, "/.") == 0 || strcmp(s, "/..") == 0) {
        PyErr_Format(PyExc_ValueError, "name=%R: a POSIX semaphore name is '/' and 1..251 characters without '/'",
                     name);
        return -1;
    }
    *out = s;
    return 0;
}

/* NamedSemaphore(name, create=False, initial=0, mode=0o600) */
static int named_init(NamedSemaphore *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"name", "create", "initial", "mode", NULL};
    PyObject *name;
    int create = 0, mode = 0600;
    long long initial = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|pLi", keywords, &name, &create, &initial, &mode)) {
        return -1;
    }
    if (self->sem != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "NamedSemaphore.__init__ called twice");
        return -1;
    }
    const char *s;
    if (sem_name_ok(name, &s) < 0) {
        return -1;
    }
    if (create && (initial < 0 || initial > SEM_VALUE_MAX)) {
        PyErr_Format(PyExc_ValueError, "initial=%lld not in [0, %d]", initial, SEM_VALUE_MAX);
        return -1;
    }
    if (create && (mode < 0 || mode > 0777)) {
        PyErr_Format(PyExc_ValueError, "mode=0o%o not in [0, 0o777]", mode);
        return -1;
    }
    sem_t *sem;
    Py_BEGIN_ALLOW_THREADS
    sem = create ? sem_open(s, O_CREAT | O_EXCL, (mode_t) mode, (unsigned) initial) : sem_open(s, 0);
    Py_END_ALLOW_THREADS
    if (sem == SEM_FAILED) {
        raise_error("errno", "sem_open", name, errno, NULL);
        return -1;
    }
    if (create) {
        /* sem_open applied mode & ~umask; glibc keeps the semaphore in /dev/shm/sem.NAME */
        char file[300];
        snprintf(file, sizeof file, "/dev/shm/sem.%s", s + 1);
        if (fchmodat(AT_FDCWD, file, (mode_t) mode, AT_SYMLINK_NOFOLLOW) < 0) {
            int error = errno;
            sem_close(sem);
            sem_unlink(s);
            PyObject *f = PyUnicode_FromString(file);
            raise_error("errno", "fchmodat", f, error, NULL);
            Py_XDECREF(f);
            return -1;
        }
    }
    self->sem = sem;
    self->created = create;
    Py_INCREF(name);
    self->name = name;
    return 0;
}

static int named_check(NamedSemaphore *self) {
    if (self->sem == NULL) {
        PyErr_Format(PyExc_ValueError, "semaphore %S is closed", self->name);
        return -1;
    }
    return 0;
}

static PyObject *named_post(NamedSemaphore *self, PyObject *unused) {
    (void) unused;
    if (named_check(self) < 0) {
        return NULL;
    }
    if (sem_post(self->sem) < 0) {
        return raise_error("errno", "sem_post", self->name, errno, NULL);
    }
    Py_RETURN_NONE;
}

static PyObject *named_try_acquire(NamedSemaphore *self, PyObject *unused) {
    (void) unused;
    if (named_check(self) < 0) {
        return NULL;
    }
    while (sem_trywait(self->sem) < 0) {
        if (errno == EAGAIN) {
            Py_RETURN_FALSE;
        }
        if (errno != EINTR) {
            return raise_error("errno", "sem_trywait", self->name, errno, NULL);
        }
    }
    Py_RETURN_TRUE;
}

static PyObject *named_acquire(NamedSemaphore *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"timeout", NULL};
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &timeout)) {
        return NULL;
    }
    int64_t t = timeout_ns(timeout);
    if (t == -2 || named_check(self) < 0) {
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->waiting++;
    PyObject *result = NULL;
    for (;;) {
        int64_t slice = next_slice(deadline);
        struct timespec at;
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_sec += slice / 1000000000LL;
        at.tv_nsec += slice % 1000000000LL;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        int r, error;
        Py_BEGIN_ALLOW_THREADS
        r = sem_clockwait(self->sem, CLOCK_MONOTONIC, &at);
        error = errno;
        Py_END_ALLOW_THREADS
        if (r == 0) {
            result = Py_NewRef(Py_True);
            break;
        }
        if (error != ETIMEDOUT && error != EINTR) {
            raise_error("errno", "sem_clockwait", self->name, error, NULL);
            break;
        }
        if (PyErr_CheckSignals() < 0) {
            break;
        }
        if (deadline != INT64_MAX && now_ns() >= deadline) {
            result = Py_NewRef(Py_False);
            break;
        }
    }
    self->waiting--;
    return result;
}

static PyObject *named_value(NamedSemaphore *self, PyObject *unused) {
    (void) unused;
    if (named_check(self) < 0) {
        return NULL;
    }
    int value;
    if (sem_getvalue(self->sem, &value) < 0) {
        return raise_error("errno", "sem_getvalue", self->name, errno, NULL);
    }
    return PyLong_FromLong(value);
}

static PyObject *named_close(NamedSemaphore *self, PyObject *unused) {
    (void) unused;
    if (self->sem == NULL) {
        Py_RETURN_NONE;
    }
    if (self->waiting > 0) {
        PyErr_Format(PyExc_RuntimeError, "semaphore %S has %d thread(s) waiting in acquire: cannot close it now",
                     self->name, self->waiting);
        return NULL;
    }
    sem_close(self->sem);
    self->sem = NULL;
    Py_RETURN_NONE;
}

static void named_dealloc(NamedSemaphore *self) {
    if (self->sem != NULL) {
        sem_close(self->sem);
    }
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *named_get_name(NamedSemaphore *self, void *unused) {
    (void) unused;
    return Py_NewRef(self->name != NULL ? self->name : Py_None);
}

static PyObject *named_get_closed(NamedSemaphore *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->sem == NULL);
}

static PyObject *named_get_created(NamedSemaphore *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->created);
}

static PyMethodDef named_methods[] = {
    {"post", (PyCFunction) named_post, METH_NOARGS, NULL},
    {"try_acquire", (PyCFunction) named_try_acquire, METH_NOARGS, NULL},
    {"acquire", (PyCFunction) (void (*)(void)) named_acquire, METH_VARARGS | METH_KEYWORDS, NULL},
    {"value", (PyCFunction) named_value, METH_NOARGS, NULL},
    {"close", (PyCFunction) named_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef named_getset[] = {
    {"name", (getter) named_get_name, NULL, NULL, NULL},
    {"closed", (getter) named_get_closed, NULL, NULL, NULL},
    {"created", (getter) named_get_created, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject NamedSemaphoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.NamedSemaphore",
    .tp_basicsize = sizeof(NamedSemaphore),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.NamedSemaphore (see jipc/sync.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc) named_init,
    .tp_dealloc = (destructor) named_dealloc,
    .tp_methods = named_methods,
    .tp_getset = named_getset,
};

static PyObject *py_sem_unlink(PyObject *module, PyObject *name) {
    (void) module;
    const char *s;
    if (sem_name_ok(name, &s) < 0) {
        return NULL;
    }
    if (sem_unlink(s) < 0) {
        if (errno == ENOENT) {
            Py_RETURN_FALSE;
        }
        return raise_error("errno", "sem_unlink", name, errno, NULL);
    }
    Py_RETURN_TRUE;
}

/* ---- Rpc ---------------------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    jipc_rpc rpc;
    PyObject *name;
    int open;
    int ends;
} Rpc;

typedef struct {
    PyObject_HEAD
    jipc_rpc_client c;
    Rpc *rpc;
    int open;
    int busy;
    unsigned char *out;
    uint32_t out_size;
    PyThreadState *save;        /* during a call: the thread state to run signal handlers with */
} Client;

typedef struct {
    EXPORTER_FIELDS
    jipc_rpc_service s;
    Rpc *rpc;
    int open;
    int busy;
    PyObject *handler;
    PyObject *error;            /* a BaseException (not an Exception) raised by the handler: re-raised by serve */
} Service;

static PyTypeObject RpcType, ClientType, ServiceType;

static PyObject *rpc_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void) args;
    (void) kwargs;
    Rpc *self = (Rpc *) type->tp_alloc(type, 0);
    if (self != NULL) {
        self->rpc.fd = -1;
    }
    return (PyObject *) self;
}

/* Rpc(name, create=False, clients=0, request_capacity=0, response_capacity=0, mode=0o600): attaches to an rpc object
 * (Java's SharedRpc.create, `jipc rpc create` or Rpc.create made it), or creates one (jipc_rpc_create) */
static int rpc_init(Rpc *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"name", "create", "clients", "request_capacity", "response_capacity", "mode", NULL};
    PyObject *name;
    int create = 0, mode = 0600, clients = 0;
    long long request_capacity = 0, response_capacity = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|piLLi", keywords, &name, &create, &clients, &request_capacity,
                                     &response_capacity, &mode)) {
        return -1;
    }
    if (self->open) {
        PyErr_SetString(PyExc_RuntimeError, "Rpc.__init__ called twice");
        return -1;
    }
    const char *s;
    if (shm_name_ok(name, &s) < 0) {
        return -1;
    }
    if (create) {
        /* the checks of SharedRpc.create, as ValueError before anything is created */
        if (clients < 1 || clients > JIPC_RPC_MAX_CLIENT_SLOTS) {
            PyErr_Format(PyExc_ValueError, "clients=%d not in [1, %d]", clients, JIPC_RPC_MAX_CLIENT_SLOTS);
            return -1;
        }
        long long capacities[2] = {request_capacity, response_capacity};
        for (int i = 0; i < 2; i++) {
            long long c = capacities[i];
            if (c < JIPC_CHANNEL_MIN_CAPACITY || c > (long long) JIPC_RPC_MAX_CAPACITY || (c & (c - 1)) != 0) {
                PyErr_Format(PyExc_ValueError, "%s=%lld is not a power of two in [1024, 2^40]",
                             i == 0 ? "request_capacity" : "response_capacity", c);
                return -1;
            }
        }
        if (mode < 0 || mode > 0777) {
            PyErr_Format(PyExc_ValueError, "mode=0o%o not in [0, 0o777]", mode);
            return -1;
        }
    }
    const char *field = NULL;
    int r;
    Py_BEGIN_ALLOW_THREADS
    r = create ? jipc_rpc_create(&self->rpc, s, (uint32_t) clients, (uint64_t) request_capacity,
                                 (uint64_t) response_capacity, (mode_t) mode, &field)
               : jipc_rpc_open(&self->rpc, s, &field);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        if (create) {
            raise_error("errno", field != NULL ? field : "jipc_rpc_create", name, errno, NULL);
        } else if (errno == EPROTO) {
            char detail[200];
            snprintf(detail, sizeof detail, "no rpc object of layout version 1 (%s is impossible)",
                     field != NULL ? field : "a header field");
            raise_error("format", "attach", name, EINVAL, detail);
        } else {
            raise_error("errno", errno == ENOENT || errno == EACCES ? "shm_open" : "attach", name, errno, NULL);
        }
        return -1;
    }
    Py_INCREF(name);
    self->name = name;
    self->open = 1;
    return 0;
}

static PyObject *rpc_close(Rpc *self, PyObject *unused) {
    (void) unused;
    if (!self->open) {
        Py_RETURN_NONE;
    }
    if (self->ends > 0) {
        PyErr_Format(PyExc_RuntimeError, "rpc %S has %d client(s) or service(s) open: close them first", self->name,
                     self->ends);
        return NULL;
    }
    jipc_rpc_close(&self->rpc);
    self->open = 0;
    Py_RETURN_NONE;
}

static void rpc_dealloc(Rpc *self) {
    if (self->open) {
        jipc_rpc_close(&self->rpc);
    }
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static int rpc_check(Rpc *self) {
    if (!self->open) {
        PyErr_Format(PyExc_ValueError, "rpc %S is closed", self->name);
        return -1;
    }
    return 0;
}

static PyObject *rpc_client(Rpc *self, PyObject *unused) {
    (void) unused;
    if (rpc_check(self) < 0) {
        return NULL;
    }
    Client *c = (Client *) ClientType.tp_alloc(&ClientType, 0);
    if (c == NULL) {
        return NULL;
    }
    c->out_size = jipc_rpc_max_response(&self->rpc);
    c->out = PyMem_Malloc(c->out_size > 0 ? c->out_size : 1);
    if (c->out == NULL) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    if (jipc_rpc_client_open(&c->c, &self->rpc) < 0) {
        Py_DECREF(c);
        if (errno == EBUSY) {
            return raise_error("role", "client", self->name, EBUSY, "every client slot of rpc");
        }
        return raise_error(errno == EPROTO ? "corrupt" : "errno", "client", self->name, errno, "rpc");
    }
    c->rpc = (Rpc *) Py_NewRef((PyObject *) self);
    c->open = 1;
    self->ends++;
    return (PyObject *) c;
}

static PyObject *rpc_service(Rpc *self, PyObject *unused) {
    (void) unused;
    if (rpc_check(self) < 0) {
        return NULL;
    }
    Service *s = (Service *) ServiceType.tp_alloc(&ServiceType, 0);
    if (s == NULL) {
        return NULL;
    }
    if (jipc_rpc_service_open(&s->s, &self->rpc) < 0) {
        Py_DECREF(s);
        if (errno == EBUSY) {
            return raise_error("role", "service", self->name, EBUSY, "the service of rpc");
        }
        return raise_error(errno == EPROTO ? "corrupt" : "errno", "service", self->name, errno, "rpc");
    }
    s->rpc = (Rpc *) Py_NewRef((PyObject *) self);
    s->open = 1;
    self->ends++;
    return (PyObject *) s;
}

static PyObject *rpc_get_max_request(Rpc *self, void *unused) {
    (void) unused;
    return rpc_check(self) < 0 ? NULL : PyLong_FromUnsignedLong(jipc_rpc_max_request(&self->rpc));
}

static PyObject *rpc_get_max_response(Rpc *self, void *unused) {
    (void) unused;
    return rpc_check(self) < 0 ? NULL : PyLong_FromUnsignedLong(jipc_rpc_max_response(&self->rpc));
}

static PyObject *rpc_get_clients(Rpc *self, void *unused) {
    (void) unused;
    return rpc_check(self) < 0 ? NULL : PyLong_FromUnsignedLong(self->rpc.clients);
}

static PyObject *rpc_get_name(Rpc *self, void *unused) {
    (void) unused;
    return Py_NewRef(self->name != NULL ? self->name : Py_None);
}

static PyObject *rpc_get_closed(Rpc *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(!self->open);
}

static PyMethodDef rpc_methods[] = {
    {"close", (PyCFunction) rpc_close, METH_NOARGS, NULL},
    {"client", (PyCFunction) rpc_client, METH_NOARGS, NULL},
    {"service", (PyCFunction) rpc_service, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef rpc_getset[] = {
    {"max_request", (getter) rpc_get_max_request, NULL, NULL, NULL},
    {"max_response", (getter) rpc_get_max_response, NULL, NULL, NULL},
    {"client_slots", (getter) rpc_get_clients, NULL, NULL, NULL},
    {"name", (getter) rpc_get_name, NULL, NULL, NULL},
    {"closed", (getter) rpc_get_closed, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject RpcType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.Rpc",
    .tp_basicsize = sizeof(Rpc),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.Rpc (see jipc/rpc.py).",
    .tp_new = rpc_new,
    .tp_init = (initproc) rpc_init,
    .tp_dealloc = (destructor) rpc_dealloc,
    .tp_methods = rpc_methods,
    .tp_getset = rpc_getset,
};

/* ---- client ---- */

/* The call's interrupt hook: runs Python's signal handlers with the GIL, at each wait slice's end. */
static int client_interrupted(void *context) {
    Client *self = context;
    PyEval_RestoreThread(self->save);
    int r = PyErr_CheckSignals();
    self->save = PyEval_SaveThread();
    return r < 0;
}

/* call(type, data, timeout=None) -> (type, bytes) */
static PyObject *client_call(Client *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"type", "data", "timeout", NULL};
    long long type;
    Py_buffer data;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Ly*|O", keywords, &type, &data, &timeout)) {
        return NULL;
    }
    PyObject *result = NULL;
    int64_t t = timeout_ns(timeout);
    if (t == -2) {
        goto done;
    }
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "rpc client is closed");
        goto done;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "rpc client is in use by another call: one thread per client");
        goto done;
    }
    if (type < 1 || type > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "type=%lld not in [1, 2147483647]", type);
        goto done;
    }
    uint32_t max = jipc_rpc_max_request(&self->rpc->rpc);
    if (data.len > (Py_ssize_t) max) {
        PyErr_Format(PyExc_ValueError, "length=%zd > maxRequestLength=%u", data.len, max);
        goto done;
    }
    int32_t out_type = 0;
    uint32_t out_length = 0;
    self->busy = 1;
    self->c.interrupted = client_interrupted;
    self->c.interrupt_context = self;
    self->save = PyEval_SaveThread();
    int r = jipc_rpc_call(&self->c, (int32_t) type, data.buf, (uint32_t) data.len, t, self->out, self->out_size,
                          &out_type, &out_length);
    int error = errno;
    PyEval_RestoreThread(self->save);
    self->save = NULL;
    self->busy = 0;
    if (r == 0) {
        result = Py_BuildValue("(iy#)", (int) out_type, (const char *) self->out, (Py_ssize_t) out_length);
    } else if (error == EINTR && PyErr_Occurred()) {
        /* a signal handler raised (KeyboardInterrupt): that exception */
    } else if (error == EREMOTEIO) {
        PyObject *message = PyUnicode_DecodeUTF8((const char *) self->out,
                                                 out_length < self->out_size ? out_length : self->out_size, "replace");
        const char *text = message != NULL ? PyUnicode_AsUTF8(message) : NULL;
        raise_error("remote", "call", self->rpc->name, error, text != NULL ? text : "");
        Py_XDECREF(message);
    } else if (error == ESRCH) {
        /* in Java's words (RpcClient): which of none, replaced, dead, and the service's pid */
        char detail[160];
        int pid = (int) self->c.unavailable_pid;
        if (self->c.unavailable == JIPC_RPC_SERVICE_DEAD) {
            snprintf(detail, sizeof detail, "the service (pid %d) is dead", pid);
        } else if (self->c.unavailable == JIPC_RPC_SERVICE_REPLACED) {
            snprintf(detail, sizeof detail, "the service that was running when the request was sent is gone;"
                     " another (pid %d) runs now: the request may or may not have been handled", pid);
        } else {
            snprintf(detail, sizeof detail, "no service is running");
        }
        raise_error("unavailable", "call", self->rpc->name, error, detail);
    } else if (error == EPROTO) {
        raise_error("corrupt", "call", self->rpc->name, error, "rpc");
    } else {
        raise_error("errno", "call", self->rpc->name, error, NULL);
    }
done:
    PyBuffer_Release(&data);
    return result;
}

static void client_release(Client *self) {
    if (self->open) {
        jipc_rpc_client_close(&self->c);
        self->open = 0;
        self->rpc->ends--;
    }
}

static PyObject *client_close(Client *self, PyObject *unused) {
    (void) unused;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "rpc client is in use by another call: cannot close it now");
        return NULL;
    }
    client_release(self);
    Py_RETURN_NONE;
}

static void client_dealloc(Client *self) {
    if (self->rpc != NULL) {
        client_release(self);
    }
    PyMem_Free(self->out);
    Py_XDECREF(self->rpc);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *client_get_slot(Client *self, void *unused) {
    (void) unused;
    return PyLong_FromLong(self->open ? self->c.slot : -1);
}

static PyObject *client_get_open(Client *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->open);
}

static PyMethodDef client_methods[] = {
    {"call", (PyCFunction) (void (*)(void)) client_call, METH_VARARGS | METH_KEYWORDS, NULL},
    {"close", (PyCFunction) client_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef client_getset[] = {
    {"slot", (getter) client_get_slot, NULL, NULL, NULL},
    {"open", (getter) client_get_open, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject ClientType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.RpcClient",
    .tp_basicsize = sizeof(Client),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.RpcClient (see jipc/rpc.py).",
    .tp_dealloc = (destructor) client_dealloc,
    .tp_methods = client_methods,
    .tp_getset = client_getset,
};

/* ---- service ---- */

/* The twin's handler: calls the Python handler with a read-only view of the request; its result (bytes-like, or
 * (type, bytes-like)) is copied into the response; an Exception becomes a failure response carrying its text. */
static int64_t on_rpc_request(void *context, int32_t type, const void *request, uint32_t length,
                              int32_t *response_type, void *response, uint32_t response_max) {
    Service *self = context;
    if (self->error != NULL) {
        return -1 - (int64_t) snprintf(response, response_max, "service interrupted");
    }
    PyObject *view = region_view(self, request, length, 1);
    PyObject *r = view == NULL ? NULL : PyObject_CallFunction(self->handler, "iO", (int) type, view);
    int64_t n = 0;
    if (r != NULL) {
        PyObject *payload = r;
        if (PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
            long t = PyLong_AsLong(PyTuple_GET_ITEM(r, 0));
            if (t >= 1 && t <= INT32_MAX) {
                *response_type = (int32_t) t;
            } else if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "response type=%ld not in [1, 2147483647]", t);
            }
            payload = PyTuple_GET_ITEM(r, 1);
        }
        Py_buffer b;
        if (!PyErr_Occurred() && PyObject_GetBuffer(payload, &b, PyBUF_SIMPLE) == 0) {
            if (b.len > (Py_ssize_t) response_max) {
                PyErr_Format(PyExc_ValueError, "response length=%zd > maxResponseLength=%u", b.len, response_max);
            } else {
                memcpy(response, b.buf, (size_t) b.len);
                n = b.len;
            }
            PyBuffer_Release(&b);
        }
        Py_DECREF(r);
    }
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyObject *text = v != NULL ? PyObject_Str(v) : NULL;
        const char *s = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
        if (s == NULL) {
            PyErr_Clear();
        }
        int written = snprintf(response, response_max, "%s: %s", t != NULL ? ((PyTypeObject *) t)->tp_name : "error",
                               s != NULL ? s : "");
        n = -1 - (int64_t) (written < 0 ? 0 : (uint32_t) written < response_max ? written : (int) response_max);
        Py_XDECREF(text);
        if (v != NULL && !PyErr_GivenExceptionMatches(v, PyExc_Exception)) {
            /* KeyboardInterrupt, SystemExit: the client hears of a failure, the service stops and re-raises */
            if (tb != NULL) {
                PyException_SetTraceback(v, tb);
            }
            self->error = v;
            v = NULL;
            jipc_channel_stop_poll(&self->s.request);
        }
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }
    retire_view(view);
    return n;
}

/* serve(handler, limit=2**31-1, timeout=0) -> int: requests handled */
static PyObject *service_serve(Service *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"handler", "limit", "timeout", NULL};
    PyObject *handler;
    int limit = INT32_MAX;
    PyObject *timeout = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iO", keywords, &handler, &limit, &timeout)) {
        return NULL;
    }
    if (!PyCallable_Check(handler)) {
        PyErr_Format(PyExc_TypeError, "handler must be callable (type, memoryview), not %.100s",
                     Py_TYPE(handler)->tp_name);
        return NULL;
    }
    if (limit < 1) {
        PyErr_Format(PyExc_ValueError, "limit=%d < 1", limit);
        return NULL;
    }
    int64_t t = timeout == NULL ? 0 : timeout_ns(timeout);
    if (t == -2) {
        return NULL;
    }
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "rpc service is closed");
        return NULL;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "rpc service is in use by another call: one thread per service");
        return NULL;
    }
    int64_t deadline = t < 0 ? INT64_MAX : now_ns() + t;
    self->busy = 1;
    int n = 0;
    if (t != 0) {
        while (!jipc_channel_has_message(&self->s.request)) {
            int64_t slice = next_slice(deadline);
            Py_BEGIN_ALLOW_THREADS
            jipc_channel_wait_message(&self->s.request, slice);
            Py_END_ALLOW_THREADS
            if (PyErr_CheckSignals() < 0) {
                n = -2;
                break;
            }
            if (deadline != INT64_MAX && now_ns() >= deadline) {
                break;
            }
        }
    }
    int error = 0;
    if (n == 0) {
        self->handler = handler;
        n = jipc_rpc_service_poll(&self->s, on_rpc_request, self, limit, 0);
        error = errno;
        self->handler = NULL;
    }
    self->busy = 0;
    if (self->error != NULL) {
        PyObject *e = self->error;
        self->error = NULL;
        PyErr_SetObject((PyObject *) Py_TYPE(e), e);
        Py_DECREF(e);
        return NULL;
    }
    if (n == -2) {
        return NULL;
    }
    if (n < 0) {
        return raise_error(error == EPROTO ? "corrupt" : "errno", "serve", self->rpc->name, error, "rpc");
    }
    return PyLong_FromLong(n);
}

static void service_release(Service *self) {
    if (self->open) {
        jipc_rpc_service_close(&self->s);
        self->open = 0;
        self->rpc->ends--;
    }
}

static PyObject *service_close(Service *self, PyObject *unused) {
    (void) unused;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "rpc service is in use by another call: cannot close it now");
        return NULL;
    }
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
        return NULL;
    }
    service_release(self);
    Py_RETURN_NONE;
}

static void service_dealloc(Service *self) {
    if (self->rpc != NULL) {
        service_release(self);
    }
    Py_XDECREF(self->rpc);
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyObject *service_get_handled(Service *self, void *unused) {
    (void) unused;
    return PyLong_FromUnsignedLongLong(self->s.handled);
}

static PyObject *service_get_dropped(Service *self, void *unused) {
    (void) unused;
    return PyLong_FromUnsignedLongLong(self->s.dropped);
}

static PyObject *service_get_open(Service *self, void *unused) {
    (void) unused;
    return PyBool_FromLong(self->open);
}

static PyMethodDef service_methods[] = {
    {"serve", (PyCFunction) (void (*)(void)) service_serve, METH_VARARGS | METH_KEYWORDS, NULL},
    {"close", (PyCFunction) service_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef service_getset[] = {
    {"handled", (getter) service_get_handled, NULL, NULL, NULL},
    {"dropped", (getter) service_get_dropped, NULL, NULL, NULL},
    {"open", (getter) service_get_open, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyTypeObject ServiceType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "jipc._jipc.RpcService",
    .tp_basicsize = sizeof(Service),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The native half of jipc.RpcService (see jipc/rpc.py).",
    .tp_dealloc = (destructor) service_dealloc,
    .tp_as_buffer = &exporter_buffer,
    .tp_methods = service_methods,
    .tp_getset = service_getset,
};

/* ---- module ------------------------------------------------------------------------------------------------- */

static uint32_t crc_table[256];

/* _crc32c(data, crc=0) -> int: CRC32C (Castagnoli, as java.util.zip.CRC32C), for checksummed test messages. */
static PyObject *py_crc32c(PyObject *module, PyObject *args) {
    (void) module;
    Py_buffer data;
    unsigned int crc = 0;
    if (!PyArg_ParseTuple(args, "y*|I", &data, &crc)) {
        return NULL;
    }
    uint32_t c = ~crc;
    const unsigned char *p = data.buf;
    for (Py_ssize_t i = 0; i < data.len; i++) {
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    }
    PyBuffer_Release(&data);
    return PyLong_FromUnsignedLong(~c);
}

static PyObject *py_set_error_factory(PyObject *module, PyObject *factory) {
    (void) module;
    Py_XSETREF(error_factory, Py_NewRef(factory));
    Py_RETURN_NONE;
}

/* _live_state(party) -> "alive" | "dead" | "alive?" | "none" */
static PyObject *py_live_state(PyObject *module, PyObject *arg) {
    (void) module;
    unsigned long long party = PyLong_AsUnsignedLongLong(arg);
    if (party == (unsigned long long) -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyUnicode_FromString(jipc_live_state_word(jipc_live_check(party)));
}

static PyMethodDef module_methods[] = {
    {"unlink", py_unlink, METH_O, NULL},
    {"sem_unlink", py_sem_unlink, METH_O, NULL},
    {"_crc32c", py_crc32c, METH_VARARGS, NULL},
    {"_set_error_factory", py_set_error_factory, METH_O, NULL},
    {"_live_state", py_live_state, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_jipc", "The native part of jipc (see jipc/__init__.py).", -1, module_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__jipc(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        }
        crc_table[n] = crc;
    }
    if (PyType_Ready(&ChannelType) < 0 || PyType_Ready(&TopicType) < 0 || PyType_Ready(&PublisherType) < 0
        || PyType_Ready(&SubscriberType) < 0 || PyType_Ready(&SemaphoreType) < 0
        || PyType_Ready(&NamedSemaphoreType) < 0 || PyType_Ready(&RpcType) < 0 || PyType_Ready(&ClientType) < 0
        || PyType_Ready(&ServiceType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&ChannelType);
    if (PyModule_AddObject(module, "Channel", (PyObject *) &ChannelType) < 0) {
        Py_DECREF(&ChannelType);
        Py_DECREF(module);
        return NULL;
    }
    PyTypeObject *types[] = {&TopicType, &SemaphoreType, &NamedSemaphoreType, &RpcType};
    const char *names[] = {"Topic", "Semaphore", "NamedSemaphore", "Rpc"};
    for (int i = 0; i < 4; i++) {
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, names[i], (PyObject *) types[i]) < 0) {
            Py_DECREF(types[i]);
            Py_DECREF(module);
            return NULL;
        }
    }
    PyModule_AddIntConstant(module, "HEADER_LENGTH", JIPC_CHANNEL_HEADER_LENGTH);
    PyModule_AddIntConstant(module, "TOPIC_HEADER_LENGTH", JIPC_TOPIC_HEADER_LENGTH);
    return module;
}
