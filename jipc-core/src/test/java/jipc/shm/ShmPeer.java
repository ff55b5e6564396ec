package jipc.shm;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the shared memory tests (started with {@code Spawn.java(ShmPeer.class, mode, ...)}); it reports
 * on stdout, one line per fact.
 *
 * <ul>
 *   <li>{@code posix-count NAME N}: opens the POSIX object, announces itself (release store of {@link #READY}),
 *       waits for {@link #GO}, adds 1 to the long at {@link #COUNTER} N times with {@code getAndAddLong}, then
 *       publishes a string at {@link #TEXT} with a release store of {@link #DONE}.</li>
 *   <li>{@code memfd}: fd 3 is a sealed memfd: prints its seals, its string, and what a read-write map says;
 *       fd 4 is a plain memfd: writes a reply into it.</li>
 *   <li>{@code eacces NAME KEY}: tries to open the POSIX object and the System V key, prints each error.</li>
 * </ul>
 */
public final class ShmPeer {
    static final long READY = 0;
    static final long GO = 4;
    static final long DONE = 16;
    static final long COUNTER = 8;
    static final long TEXT = 64;

    private ShmPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "posix-count" -> posixCount(args[1], Long.parseLong(args[2]));
            case "memfd" -> memfd();
            case "eacces" -> eacces(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void posixCount(String name, long n) throws IOException {
        try (PosixSharedMemory shm = PosixSharedMemory.open(name);
             Mapping m = shm.map()) {
            m.setIntRelease(READY, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (m.getIntAcquire(GO) == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("parent never said GO");
                }
                LockSupport.parkNanos(10_000);
            }
            for (long i = 0; i < n; i++) {
                m.getAndAddLong(COUNTER, 1);
            }
            m.setString(TEXT, "Hello from the child JVM"); // plain writes, published by the release store below
            m.setIntRelease(DONE, 1);
        }
    }

    private static void memfd() throws IOException {
        try (Memfd sealed = Memfd.inherit(3);
             Memfd reply = Memfd.inherit(4)) {
            System.out.println("seals=" + sealed.seals());
            try (Mapping m = sealed.mapReadOnly()) {
                System.out.println("text=" + m.getString(0));
            }
            try {
                sealed.map();
                System.out.println("map=succeeded");
            } catch (jipc.ErrnoException e) {
                System.out.println("map=" + e.getMessage());
            }
            try (Mapping m = reply.map()) {
                m.setString(0, "Hello parent, this is " + reply.description());
            }
        }
    }

    private static void eacces(String name, int key) {
        try (PosixSharedMemory shm = PosixSharedMemory.open(name)) {
            System.out.println("posix=opened " + shm);
        } catch (IOException e) {
            System.out.println("posix=" + e.getMessage());
        }
        try (SysVSharedMemory shm = SysVSharedMemory.open(key)) {
            System.out.println("sysv=opened " + shm);
        } catch (IOException e) {
            System.out.println("sysv=" + e.getMessage());
        }
    }
}
