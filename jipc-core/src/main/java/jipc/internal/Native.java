package jipc.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place that creates downcall handles and reads errno.
 *
 * <p>errno is captured by the linker ({@link Linker.Option#captureCallState(String...)}) into a per-thread segment
 * that every errno-reporting downcall takes as its first argument. The binding wrappers pass
 * {@link #callState()} and the caller reads {@link #errno()} on the same thread straight after the call; no second
 * downcall can run in between because nothing else touches that thread's segment.
 *
 * <p>One exception, for the futex calls of the channels' and topics' per-message path ({@link Futex}): the JDK's
 * capture of the call state slices the capture segment on every call ({@code SharedUtils.checkCaptureSegment}), an
 * allocation that only C2's escape analysis removes, and only where it inlines the whole downcall into its caller
 * (it did not after a futex wake-up: {@code docs/benchmarks.md}, "Allocation on the futex path"). Those calls are
 * bound without the capture and read errno only when they failed, from the thread's own errno variable
 * ({@link #errnoNow()}: {@code __errno_location()}, a critical downcall that allocates nothing). The JVM may in
 * principle overwrite errno between a downcall's return and that read (its thread-state transition may block at a
 * safepoint), so such a value is only trusted for the errnos the caller expects; anything else is confirmed by the
 * same call made again through a capturing handle before it becomes an exception.
 */
@SuppressWarnings("restricted")
public final class Native {
    private Native() {
    }

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT
            .varHandle(MemoryLayout.PathElement.groupElement("errno"))
            .withInvokeExactBehavior();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // One capture segment per thread, allocated once: no arena per system call on the hot path.
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /** The calling thread's errno capture segment: the first argument of every errno-capturing handle. */
    public static MemorySegment callState() {
        return CALL_STATE.get();
    }

    /** errno as left by the last errno-capturing downcall made on this thread. */
    public static int errno() {
        return (int) ERRNO.get(CALL_STATE.get(), 0L);
    }

    /** {@snippet lang=c : int *__errno_location(void); } (glibc; the pointer returned as a {@code long}) */
    private static final MethodHandle ERRNO_LOCATION = downcall("__errno_location",
            FunctionDescriptor.of(JAVA_LONG), Linker.Option.critical(false));
    /** All of the address space, for reading the errno variable at the address {@code __errno_location} gives. */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    static {
        // Link the call now: its first call generates code (about 64 KB of allocation on the calling thread), which
        // would otherwise fall on the first futex wait that fails (EAGAIN) on a hot path.
        int unused = errnoNow();
    }

    /**
     * errno as the calling thread's C library holds it now, for a downcall bound without the capture (see the class
     * comment): a critical downcall and a load, no allocation. The location is asked for on every call, not cached,
     * because a virtual thread's next downcall may run on another carrier (another errno variable).
     */
    public static int errnoNow() {
        try {
            long location = (long) ERRNO_LOCATION.invokeExact();
            return EVERYTHING.get(JAVA_INT, location);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A downcall to a libc symbol that does not report through errno. */
    static MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LIBC.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + symbol));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    /** A downcall whose first parameter is the errno capture segment ({@link #callState()}). */
    static MethodHandle errnoDowncall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return downcall(symbol, descriptor, all);
    }

    /** Whether libc exports {@code symbol} (used for functions newer than the oldest glibc we run on). */
    static boolean has(String symbol) {
        return LIBC.find(symbol).isPresent();
    }

    /** Downcalls throw only unchecked failures (e.g. a denied native access); anything else is a bug here. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected checked exception from a downcall", t);
    }
}
