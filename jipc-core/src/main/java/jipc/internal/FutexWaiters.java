package jipc.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Futex waits that park a virtual thread instead of pinning its carrier: a few platform threads each sleep in
 * {@code futex_waitv(2)} (Linux 5.16+) on up to {@value #WORDS_PER_THREAD} futex words that virtual threads wait on,
 * plus one control word of their own, and unpark the virtual threads whose word was woken or changed. The shape of
 * the JDK's {@code sun.nio.ch.Poller}, for futex words: a registration is one-shot (the unparked thread looks at its
 * condition again and registers anew if it must wait on), and the number of service threads is fixed by the number of
 * distinct words watched at once, never by the number of waiting virtual threads.
 *
 * <p>{@link #await} has the contract of {@link Futex#await}: it returns when the word was woken (0), did not hold the
 * expected value ({@link Errno#EAGAIN}), the time ran out ({@link Errno#ETIMEDOUT}), or the thread was interrupted
 * ({@link Errno#EINTR}; the interrupt flag stays set). A platform thread, a kernel without {@code futex_waitv}, or a
 * segment the service threads may not read (a confined arena's) waits in {@link Futex#await} as before.
 *
 * <p>Cost: a parked wait adds one hop to a wake-up (the kernel wakes the service thread, which unparks the virtual
 * thread) and, to register and cancel, a lock and a {@code FUTEX_WAKE} of the control word. The service threads are
 * daemons named {@code jipc-futex-waiter-N}.
 *
 * <p>At exit the services stop ({@link #stop}, from a shutdown hook): HotSpot's last safepoint waits up to 300 ms for
 * every thread still in a native call (a daemon too, {@code VM_Exit::wait_for_threads_in_native_to_block}), and a
 * service thread sleeps in {@code futex_waitv} for good, so every JVM that had parked a virtual thread on a futex word
 * would take 0.3 s longer to exit. Waits that begin after the stop (other shutdown hooks) wait in {@link Futex#await}.
 */
@SuppressWarnings("restricted")
public final class FutexWaiters {
    private FutexWaiters() {
    }

    /** Words one service thread watches besides its control word: futex_waitv takes at most 128. */
    public static final int WORDS_PER_THREAD = 127;
    private static final long SYS_futex_waitv = 449;
    /** {@code FUTEX2_SIZE_U32} (called FUTEX_32 in the kernel): a 32-bit futex word, shared (no private flag). */
    private static final int FUTEX2_SIZE_U32 = 2;
    /** {@code struct futex_waitv { __u64 val; __u64 uaddr; __u32 flags; __u32 __reserved; }}. */
    private static final long WAITV_SIZE = 24;
    private static final long WAITV_VAL_OFFSET = 0;
    private static final long WAITV_UADDR_OFFSET = 8;
    private static final long WAITV_FLAGS_OFFSET = 16;
    private static final int CLOCK_MONOTONIC = 1;

    /**
     * {@snippet lang=c :
     * long syscall(long number, ...);
     * // called as syscall(SYS_futex_waitv, struct futex_waitv *waiters, unsigned int nr_futexes,
     * //                   unsigned int flags, struct timespec *timeout, clockid_t clockid)
     * }
     */
    private static final MethodHandle SYSCALL_FUTEX_WAITV = Native.errnoDowncall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));

    private static final java.lang.invoke.VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static final List<Service> SERVICES = new ArrayList<>();
    /** Set by {@link #stop}: no service thread starts or goes on sleeping. Guarded by {@link #LOCK}. */
    private static boolean stopped;
    /** Whether the shutdown hook that calls {@link #stop} is registered. Guarded by {@link #LOCK}. */
    private static boolean hooked;

    private static final class Probe {
        /** Whether the kernel has futex_waitv: with no words it fails with EINVAL, without the call with ENOSYS. */
        static final boolean AVAILABLE = futexWaitv(MemorySegment.NULL, 0) >= 0 || Native.errno() != Errno.ENOSYS;
    }

    /** Whether this kernel has {@code futex_waitv}, so that virtual threads can park on futex words. */
    public static boolean available() {
        return Probe.AVAILABLE;
    }

    /** How many service threads run now (for tests and monitoring). */
    public static int threads() {
        synchronized (LOCK) {
            return SERVICES.size();
        }
    }

    /** How many distinct words are watched now. */
    public static int watchedWords() {
        synchronized (LOCK) {
            int n = 0;
            for (Service s : SERVICES) {
                n += s.words.size();
            }
            return n;
        }
    }

    /**
     * Waits while the 32-bit word at the start of {@code word} holds {@code expected}, for at most
     * {@code timeoutNanos}: parked if the caller is a virtual thread and the service can watch the word, else in
     * {@link Futex#await}.
     */
    public static int await(MemorySegment word, int expected, long timeoutNanos) {
        if (!Thread.currentThread().isVirtual() || !available()) {
            return Futex.await(word, expected, timeoutNanos);
        }
        if (Thread.currentThread().isInterrupted()) {
            return Errno.EINTR;
        }
        Registration registration = new Registration(word, expected, Thread.currentThread());
        Service service = register(registration);
        if (service == null) {
            return Futex.await(word, expected, timeoutNanos); // a segment only its owner thread may read
        }
        boolean forever = timeoutNanos > Long.MAX_VALUE / 4; // no deadline that could overflow
        long deadline = forever ? 0 : System.nanoTime() + timeoutNanos;
        try {
            while (!registration.fired) {
                if (Thread.currentThread().isInterrupted()) {
                    return Errno.EINTR;
                }
                long left = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) {
                    return Errno.ETIMEDOUT;
                }
                LockSupport.parkNanos(FutexWaiters.class, left);
            }
            return registration.result;
        } finally {
            if (!registration.fired) {
                service.cancel(registration);
            }
        }
    }

    /**
     * Stops the service threads: every parked waiter is unparked (as for a spurious wake-up: it looks at its condition
     * again), each service thread leaves {@code futex_waitv} and ends, and waits that begin later wait in
     * {@link Futex#await}. Run by a shutdown hook; waits at most {@code 1 s} for the threads to end. Idempotent.
     */
    public static void stop() {
        List<Service> services;
        synchronized (LOCK) {
            stopped = true;
            services = new ArrayList<>(SERVICES);
            for (Service s : services) {
                s.poke();
            }
        }
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (Service s : services) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    s.thread.join(java.time.Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Hands {@code r} to a service thread that watches its word or has room; {@code null} if none may read it. */
    private static Service register(Registration r) {
        long address = r.word.address();
        synchronized (LOCK) {
            if (stopped || !hook()) {
                return null;
            }
            Service chosen = null;
            for (Service s : SERVICES) {
                if (s.words.containsKey(address)) {
                    chosen = s;
                    break;
                }
                if (chosen == null && s.words.size() < WORDS_PER_THREAD) {
                    chosen = s;
                }
            }
            if (chosen == null) {
                chosen = new Service(SERVICES.size());
                SERVICES.add(chosen);
            }
            if (!r.word.isAccessibleBy(chosen.thread)) {
                return null;
            }
            chosen.words.computeIfAbsent(address, a -> new ArrayList<>()).add(r);
            chosen.poke();
            return chosen;
        }
    }

    private static long futexWaitv(MemorySegment waiters, int count) {
        try {
            return (long) SYSCALL_FUTEX_WAITV.invokeExact(Native.callState(), SYS_futex_waitv, waiters, count, 0,
                    MemorySegment.NULL, CLOCK_MONOTONIC);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** One waiting thread's request: unpark {@code thread} when {@code word} is woken or no longer {@code expected}. */
    private static final class Registration {
        final MemorySegment word;
        final int expected;
        final Thread thread;
        /** Set by the service (under {@link #LOCK}) before it unparks the thread. */
        volatile boolean fired;
        volatile int result;

        Registration(MemorySegment word, int expected, Thread thread) {
            this.word = word;
            this.expected = expected;
            this.thread = thread;
        }
    }

    /**
     * Registers the shutdown hook that runs {@link #stop} once, before the first service thread starts; {@code false}
     * if the JVM is already shutting down (then no service thread may start). Under {@link #LOCK}.
     */
    private static boolean hook() {
        if (!hooked) {
            try {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jipc-futex-waiters-stop")
                        .unstarted(FutexWaiters::stop));
            } catch (IllegalStateException shuttingDown) {
                stopped = true;
                return false;
            }
            hooked = true;
        }
        return true;
    }

    /** One service thread: its words, its control word, and the futex_waitv array it sleeps on. */
    private static final class Service implements Runnable {
        /** Address → the registrations waiting on that word. Guarded by {@link #LOCK}. */
        final Map<Long, List<Registration>> words = new LinkedHashMap<>();
        final Thread thread;
        private final MemorySegment control;
        private final MemorySegment waitv;

        Service(int index) {
            Arena arena = Arena.ofShared(); // lives as long as the service thread: for the life of the process
            this.control = arena.allocate(8, 8);
            this.waitv = arena.allocate(WAITV_SIZE * (WORDS_PER_THREAD + 1), 8);
            this.thread = Thread.ofPlatform().daemon().name("jipc-futex-waiter-" + index).unstarted(this);
            this.thread.start();
        }

        /** Makes the service look at its words again: a new registration or a cancellation. */
        void poke() {
            int unused = (int) INT.getAndAdd(control, 0L, 1);
            Futex.wake(control, 1);
        }

        /**
         * A waiter gave up (timeout, interrupt). No wake-up of the service: a word nobody waits on any more stays in
         * its futex_waitv until the next registration or wake makes it rebuild the list (an idle virtual thread
         * whose 100 ms slices time out costs one service wake-up per slice, not two).
         */
        void cancel(Registration r) {
            synchronized (LOCK) {
                List<Registration> list = words.get(r.word.address());
                if (list != null && list.remove(r) && list.isEmpty()) {
                    words.remove(r.word.address());
                }
            }
        }

        @Override
        public void run() {
            List<Long> order = new ArrayList<>();
            for (;;) {
                order.clear();
                synchronized (LOCK) {
                    if (stopped) {
                        fireAll(); // every waiter looks again; a new wait after this one goes to Futex.await
                        SERVICES.remove(this);
                        return;
                    }
                    fireChanged();
                    fill(order);
                }
                long r = futexWaitv(waitv, order.size() + 1);
                int errno = r < 0 ? Native.errno() : 0;
                synchronized (LOCK) {
                    if (r > 0) {
                        fire(order.get((int) r - 1), 0); // that word was woken
                    } else if (r < 0 && errno != Errno.EAGAIN && errno != Errno.EINTR) {
                        fireAll(); // EFAULT (a word unmapped under us) or anything unexpected: all look again
                    }
                    // r == 0 (control woken) or EAGAIN (some word moved): fireChanged at the top finds which
                }
            }
        }

        /** Unparks the waiters of every word that no longer holds what they expect (or can no longer be read). */
        private void fireChanged() {
            for (Iterator<Map.Entry<Long, List<Registration>>> it = words.entrySet().iterator(); it.hasNext(); ) {
                List<Registration> list = it.next().getValue();
                list.removeIf(reg -> {
                    int now;
                    try {
                        now = reg.word.get(JAVA_INT, 0);
                    } catch (RuntimeException closedOrElsewhere) {
                        return unpark(reg, 0);
                    }
                    return now != reg.expected && unpark(reg, Errno.EAGAIN);
                });
                if (list.isEmpty()) {
                    it.remove();
                }
            }
        }

        /**
         * Writes the control word and then each watched word (with the value its waiters expect) into waitv. Under
         * {@link #LOCK}: a registration after this reads the control word changes it, so futex_waitv returns at once.
         */
        private void fill(List<Long> order) {
            put(0, control.address(), (int) INT.getVolatile(control, 0L));
            int i = 1;
            for (Map.Entry<Long, List<Registration>> e : words.entrySet()) {
                put(i++, e.getKey(), e.getValue().get(0).expected);
                order.add(e.getKey());
            }
        }

        private void put(int i, long address, int value) {
            long at = WAITV_SIZE * i;
            waitv.set(JAVA_LONG, at + WAITV_VAL_OFFSET, value & 0xFFFF_FFFFL);
            waitv.set(JAVA_LONG, at + WAITV_UADDR_OFFSET, address);
            waitv.set(JAVA_INT, at + WAITV_FLAGS_OFFSET, FUTEX2_SIZE_U32);
            waitv.set(JAVA_INT, at + WAITV_FLAGS_OFFSET + 4, 0);
        }

        /** Unparks every waiter of this service (as woken: each looks at its condition again). */
        private void fireAll() {
            for (Long address : new ArrayList<>(words.keySet())) {
                fire(address, 0);
            }
        }

        private void fire(long address, int result) {
            List<Registration> list = words.remove(address);
            if (list != null) {
                for (Registration reg : list) {
                    unpark(reg, result);
                }
            }
        }

        private static boolean unpark(Registration reg, int result) {
            reg.result = result;
            reg.fired = true;
            LockSupport.unpark(reg.thread);
            return true;
        }
    }
}
