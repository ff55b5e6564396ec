package jipc.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a benchmark peer's {@code main} on a virtual thread: {@code OnVirtualThread MAIN_CLASS ARGS...} starts one
 * virtual thread that calls {@code MAIN_CLASS.main(ARGS)} and waits for it. The peer's blocking jipc calls then park
 * the virtual thread (futex words through {@code jipc-futex-waiter-N}, pipe ends through {@code jipc-fd-poller})
 * instead of sleeping in the kernel, which is what the benchmarks' {@code (virtual thread)} rows measure beside the
 * same peer on its platform main thread.
 *
 * <p>The main thread only waits in {@link Thread#join()}; an exception thrown by the peer is printed and ends the
 * process with status 1, as an uncaught exception of a platform main thread does.
 */
public final class OnVirtualThread {
    private OnVirtualThread() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OnVirtualThread MAIN_CLASS [ARG]...");
            System.exit(64);
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread peer = Thread.ofVirtual().name(args[0]).start(() -> {
            try {
                main.invoke(null, (Object) rest);
            } catch (InvocationTargetException e) {
                failure.set(e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | Error e) {
                failure.set(e);
            }
        });
        peer.join();
        if (failure.get() != null) {
            System.err.print("Exception in virtual thread \"" + args[0] + "\" ");
            failure.get().printStackTrace();
            System.exit(1);
        }
    }
}
