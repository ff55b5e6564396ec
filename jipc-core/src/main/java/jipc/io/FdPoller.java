package jipc.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Parks virtual threads that wait for a descriptor to become readable or writable, and unparks them when it does:
 * one platform thread ({@code jipc-fd-poller}) sleeps in {@code epoll_wait} on every descriptor a virtual thread waits
 * for. The shape of the JDK's {@code sun.nio.ch.Poller}: a registration is one-shot ({@code EPOLLONESHOT}); the
 * unparked thread tries its call again and registers anew if it still cannot go on. Closing a descriptor unparks its
 * waiters, which then see it closed.
 *
 * <p>Cost: a wait adds an {@code epoll_ctl} and one hop to the wake-up (the kernel wakes the poller thread, which
 * unparks the virtual thread). However many virtual threads wait, jipc runs one poller thread.
 */
final class FdPoller {
    private FdPoller() {
    }

    private static final Object LOCK = new Object();
    /** Descriptor number → the threads parked on it. Guarded by {@link #LOCK}. */
    private static final Map<Integer, List<Thread>> WAITERS = new HashMap<>();
    /** Descriptors in the epoll set (armed or spent). Guarded by {@link #LOCK}. */
    private static final Set<Integer> KNOWN = new HashSet<>();

    private static final class Epoll {
        static final int FD = create();
        static final MemorySegment EVENT = Arena.global().allocate(Constants.EPOLL_EVENT_SIZE, 8);

        private static int create() {
            int epfd = LibC.epollCreate1(Constants.EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new IllegalStateException(Errno.last("epoll_create1", "EPOLL_CLOEXEC").getMessage());
            }
            Thread.ofPlatform().daemon().name("jipc-fd-poller").start(() -> loop(epfd));
            return epfd;
        }
    }

    /**
     * Arms a one-shot watch of {@code fd} for {@code events} ({@code EPOLLIN} or {@code EPOLLOUT}) that unparks the
     * calling thread; the caller then parks and, whatever woke it, tries again.
     */
    static void register(int fd, int events) throws ErrnoException {
        synchronized (LOCK) {
            WAITERS.computeIfAbsent(fd, k -> new ArrayList<>()).add(Thread.currentThread());
            MemorySegment event = Epoll.EVENT;
            event.set(JAVA_INT, 0, events | Constants.EPOLLONESHOT);
            event.set(JAVA_LONG_UNALIGNED, Constants.EPOLL_EVENT_DATA_OFFSET, fd);
            // Several threads on one descriptor: watch for what any of them waits for (they all look again).
            int op = KNOWN.contains(fd) ? Constants.EPOLL_CTL_MOD : Constants.EPOLL_CTL_ADD;
            if (LibC.epollCtl(Epoll.FD, op, fd, event) < 0) {
                int errno = Native.errno();
                if (op == Constants.EPOLL_CTL_MOD && errno == Errno.ENOENT
                        && LibC.epollCtl(Epoll.FD, Constants.EPOLL_CTL_ADD, fd, event) == 0) {
                    KNOWN.add(fd);
                    return;
                }
                WAITERS.get(fd).remove(Thread.currentThread());
                throw Errno.exception("epoll_ctl", "fd " + fd, errno);
            }
            KNOWN.add(fd);
        }
    }

    /** Forgets this thread's registration on {@code fd} (it stopped waiting: timeout, interrupt). */
    static void cancel(int fd) {
        synchronized (LOCK) {
            List<Thread> threads = WAITERS.get(fd);
            if (threads != null) {
                threads.remove(Thread.currentThread());
                if (threads.isEmpty()) {
                    WAITERS.remove(fd);
                }
            }
        }
    }

    /**
     * Before {@code fd} is closed: takes it out of the epoll set and unparks whoever waits on it (they find it
     * closed). Cheap when no virtual thread ever waited on it.
     */
    static void closing(int fd) {
        List<Thread> threads;
        synchronized (LOCK) {
            if (!KNOWN.remove(fd)) {
                return;
            }
            LibC.epollCtl(Epoll.FD, Constants.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
            threads = WAITERS.remove(fd);
        }
        unparkAll(threads);
    }

    /** How many threads are parked on descriptors now (for tests). */
    static int waiting() {
        synchronized (LOCK) {
            return WAITERS.values().stream().mapToInt(List::size).sum();
        }
    }

    private static void loop(int epfd) {
        int max = 64;
        MemorySegment events = Arena.global().allocate(Constants.EPOLL_EVENT_SIZE * max, 8);
        for (;;) {
            int n = LibC.epollWait(epfd, events, max, -1);
            if (n < 0) {
                continue; // EINTR
            }
            for (int i = 0; i < n; i++) {
                int fd = (int) events.get(JAVA_LONG_UNALIGNED,
                        Constants.EPOLL_EVENT_SIZE * i + Constants.EPOLL_EVENT_DATA_OFFSET);
                List<Thread> threads;
                synchronized (LOCK) {
                    threads = WAITERS.remove(fd);
                }
                unparkAll(threads);
            }
        }
    }

    private static void unparkAll(List<Thread> threads) {
        if (threads != null) {
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
        }
    }
}
