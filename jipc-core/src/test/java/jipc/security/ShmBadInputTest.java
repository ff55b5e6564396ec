package jipc.security;

import static jipc.security.BadInput.errno;
import static jipc.security.BadInput.illegal;
import static jipc.security.BadInput.illegalState;
import static jipc.security.BadInput.nullArgument;
import static jipc.security.BadInput.of;
import static jipc.security.BadInput.outOfRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jipc.pipe.Pipe;
import jipc.security.BadInput.Case;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.shm.PosixSharedMemory;
import jipc.shm.Seal;
import jipc.shm.SysVSharedMemory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments to {@code jipc.shm}: each row gets a clear exception (see {@link BadInput}), creates nothing, and
 * leaves the fixture's objects usable (checked after every row).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmBadInputTest {
    private static final String PREFIX = "/jipc-badshm-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A POSIX object with a read-write mapping, a System V segment, a memfd and a pipe. */
    static final class Fixture implements AutoCloseable {
        final String name = PREFIX + COUNTER.incrementAndGet();
        final PosixSharedMemory shm;
        final Mapping mapping;
        final SysVSharedMemory sysv;
        final Memfd memfd;
        final Pipe pipe;

        Fixture() throws IOException {
            shm = PosixSharedMemory.create(name, 4096);
            mapping = shm.map();
            sysv = SysVSharedMemory.createPrivate(4096);
            memfd = Memfd.create("bad-input", 4096);
            pipe = Pipe.open();
        }

        String unused(String what) {
            return name + "-" + what;
        }

        void stillWorks() throws IOException {
            mapping.setIntRelease(0, 42);
            assertEquals(42, mapping.getIntAcquire(0));
            try (PosixSharedMemory again = PosixSharedMemory.open(name); Mapping m = again.map()) {
                assertEquals(42, m.getIntAcquire(0), "the object is still there and shared");
            }
            try (Mapping m = sysv.map()) {
                m.setLongRelease(8, 7);
                assertEquals(7, m.getLongAcquire(8));
            }
            try (Mapping m = memfd.map()) {
                assertEquals(4096, m.size());
            }
            pipe.sink().writeFully(new byte[] {1});
            ByteBuffer one = ByteBuffer.allocate(1);
            pipe.source().readFully(one);
            assertEquals(1, one.get(0));
        }

        @Override
        public void close() throws IOException {
            try (pipe; memfd; shm) {
                sysv.remove();
                sysv.close();
            } finally {
                PosixSharedMemory.unlinkIfExists(name);
            }
        }
    }

    static Stream<Case<Fixture>> cases() {
        return Stream.of(
                // PosixSharedMemory
                illegal("PosixSharedMemory.create(size=0)", "size=0", f -> PosixSharedMemory.create(f.unused("a"), 0)),
                illegal("PosixSharedMemory.create(size=-1)", "size=-1",
                        f -> PosixSharedMemory.create(f.unused("a"), -1)),
                errno("PosixSharedMemory.create(size=Long.MAX_VALUE)", "ENOMEM", f -> {
                    try {
                        PosixSharedMemory.create(f.unused("huge"), Long.MAX_VALUE);
                    } finally {
                        assertFalse(Files.exists(Path.of("/dev/shm", f.unused("huge").substring(1))), "left behind");
                    }
                }),
                illegal("PosixSharedMemory.create(mode=-1)", "bits outside 0777",
                        f -> PosixSharedMemory.create(f.unused("a"), 4096, -1)),
                illegal("PosixSharedMemory.create(mode=01000)", "bits outside 0777",
                        f -> PosixSharedMemory.create(f.unused("a"), 4096, 01000)),
                errno("PosixSharedMemory.openOrCreate(existing, grow to Long.MAX_VALUE)", "ENOMEM",
                        f -> PosixSharedMemory.openOrCreate(f.name, Long.MAX_VALUE)),
                illegal("PosixSharedMemory.openOrCreate(size=0)", "size=0",
                        f -> PosixSharedMemory.openOrCreate(f.name, 0)),
                errno("PosixSharedMemory.create(existing)", "EEXIST", f -> PosixSharedMemory.create(f.name, 4096)),
                errno("PosixSharedMemory.open(missing)", "ENOENT", f -> PosixSharedMemory.open(f.unused("no"))),
                errno("PosixSharedMemory.unlink(missing)", "ENOENT", f -> PosixSharedMemory.unlink(f.unused("no"))),
                errno("readOnly.map()", "EACCES", f -> {
                    try (PosixSharedMemory ro = PosixSharedMemory.openReadOnly(f.name)) {
                        ro.map();
                    }
                }),
                of("closed PosixSharedMemory.map()", ClosedChannelException.class, null, f -> {
                    PosixSharedMemory other = PosixSharedMemory.open(f.name);
                    other.close();
                    other.map();
                }),
                of("closed PosixSharedMemory.size()", ClosedChannelException.class, null, f -> {
                    PosixSharedMemory other = PosixSharedMemory.open(f.name);
                    other.close();
                    other.size();
                }),

                // Mapping
                outOfRange("getBytes(offset=-1)", "-1", f -> f.mapping.getBytes(-1, 4)),
                outOfRange("getBytes(length=-1)", "-1", f -> f.mapping.getBytes(0, -1)),
                outOfRange("getBytes(past the end)", "4095", f -> f.mapping.getBytes(4095, 2)),
                outOfRange("getBytes(length=Integer.MAX_VALUE)", "2147483647",
                        f -> f.mapping.getBytes(0, Integer.MAX_VALUE)),
                nullArgument("setBytes(null)", "bytes", f -> f.mapping.setBytes(0, null)),
                outOfRange("setBytes(offset=-1)", "-1", f -> f.mapping.setBytes(-1, new byte[1])),
                outOfRange("setBytes(past the end)", "4090", f -> f.mapping.setBytes(4090, new byte[10])),
                outOfRange("getString(offset=-1)", "-1", f -> f.mapping.getString(-1)),
                outOfRange("getString(offset=4097)", "4097", f -> f.mapping.getString(4097)),
                nullArgument("setString(null)", "value", f -> f.mapping.setString(0, null)),
                outOfRange("setString(past the end)", "4090", f -> f.mapping.setString(4090, "0123456789")),
                outOfRange("getIntAcquire(offset=-4)", "-4", f -> f.mapping.getIntAcquire(-4)),
                outOfRange("getIntAcquire(offset=4096)", "4096", f -> f.mapping.getIntAcquire(4096)),
                outOfRange("setLongRelease(offset=4092)", "4092", f -> f.mapping.setLongRelease(4092, 1)),
                illegal("getIntAcquire(offset=1): misaligned", "alignment", f -> f.mapping.getIntAcquire(1)),
                illegal("compareAndSetLong(offset=4): misaligned", "alignment",
                        f -> f.mapping.compareAndSetLong(4, 0, 1)),
                illegal("readOnly mapping setIntRelease", "read-only", f -> {
                    try (Mapping ro = f.shm.mapReadOnly()) {
                        ro.setIntRelease(0, 1);
                    }
                }),
                illegalState("closed mapping getIntAcquire", "closed", f -> {
                    Mapping m = f.shm.map();
                    m.close();
                    m.getIntAcquire(0);
                }),
                illegalState("closed mapping getBytes", "closed", f -> {
                    Mapping m = f.shm.map();
                    m.close();
                    m.getBytes(0, 4);
                }),
                illegalState("closed mapping asByteBuffer", "closed", f -> {
                    Mapping m = f.shm.map();
                    m.close();
                    m.asByteBuffer();
                }),

                // SysVSharedMemory
                illegal("SysVSharedMemory.create(key=0)", "IPC_PRIVATE", f -> SysVSharedMemory.create(0, 4096)),
                illegal("SysVSharedMemory.createPrivate(size=0)", "size=0", f -> SysVSharedMemory.createPrivate(0)),
                illegal("SysVSharedMemory.createPrivate(size=-5)", "size=-5",
                        f -> SysVSharedMemory.createPrivate(-5)),
                errno("SysVSharedMemory.createPrivate(size=Long.MAX_VALUE)", "ENOMEM",
                        f -> SysVSharedMemory.createPrivate(Long.MAX_VALUE)),
                illegal("SysVSharedMemory.createPrivate(mode=01000)", "bits outside 0777",
                        f -> SysVSharedMemory.createPrivate(4096, 01000)),
                errno("SysVSharedMemory.ofId(-1)", "EINVAL", f -> SysVSharedMemory.ofId(-1)),
                errno("SysVSharedMemory.remove(-1)", "EINVAL", f -> SysVSharedMemory.remove(-1)),
                nullArgument("SysVSharedMemory.ftok(null)", "path", f -> SysVSharedMemory.ftok(null, 1)),
                illegal("SysVSharedMemory.ftok(projectId=0)", "projectId=0",
                        f -> SysVSharedMemory.ftok(Path.of("/"), 0)),
                illegal("SysVSharedMemory.ftok(projectId=256)", "projectId=256",
                        f -> SysVSharedMemory.ftok(Path.of("/"), 256)),
                errno("SysVSharedMemory.ftok(missing path)", "ENOENT",
                        f -> SysVSharedMemory.ftok(Path.of("/nonexistent/jipc"), 1)),
                of("closed SysVSharedMemory.map()", ClosedChannelException.class, null, f -> {
                    SysVSharedMemory other = SysVSharedMemory.ofId(f.sysv.id());
                    other.close();
                    other.map();
                }),

                // Memfd
                illegal("Memfd.create(size=0)", "size=0", f -> Memfd.create("m", 0)),
                illegal("Memfd.create(size=-1)", "size=-1", f -> Memfd.create("m", -1)),
                errno("Memfd.create(size=Long.MAX_VALUE): no OOM killer", "ENOMEM", f -> Memfd.create("m", Long.MAX_VALUE)),
                illegal("Memfd.inherit(-1)", "fd=-1", f -> Memfd.inherit(-1)),
                errno("Memfd.inherit(not open)", "EBADF", f -> Memfd.inherit(65000)),
                illegal("Memfd.inherit(a pipe)", "not a memfd", f -> Memfd.inherit(f.pipe.source().fd().number())),
                nullArgument("Memfd.addSeals(null)", "seals", f -> f.memfd.addSeals((Set<Seal>) null)),
                errno("Memfd.addSeals on an unsealable memfd", "EPERM", f -> f.memfd.addSeals(Seal.GROW)),
                of("closed Memfd.map()", ClosedChannelException.class, null, f -> {
                    Memfd other = Memfd.create("closed", 4096);
                    other.close();
                    other.map();
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedClearlyAndTheObjectsStayUsable(Case<Fixture> row) throws Throwable {
        try (Fixture f = new Fixture()) {
            BadInput.check(row, f);
            f.stillWorks();
        }
    }
}
