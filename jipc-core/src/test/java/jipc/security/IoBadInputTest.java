package jipc.security;

import static jipc.security.BadInput.errno;
import static jipc.security.BadInput.illegal;
import static jipc.security.BadInput.nullArgument;
import static jipc.security.BadInput.of;
import static jipc.security.BadInput.outOfRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jipc.ErrnoException;
import jipc.fifo.Fifo;
import jipc.fifo.NotAFifoException;
import jipc.io.Fd;
import jipc.io.FileStat;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;
import jipc.pipe.Duplex;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.security.BadInput.Case;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments to {@code jipc.io}, {@code jipc.pipe}, {@code jipc.fifo} and {@code jipc.process}: each row gets a
 * clear exception (see {@link BadInput}) and the fixture's pipe, duplex and FIFO still carry bytes afterwards.
 * Closed descriptors answer {@link ClosedChannelException}, as NIO channels do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IoBadInputTest {

    /** A pipe, a duplex and a FIFO (in its own directory) with a non-blocking reader. */
    static final class Fixture implements AutoCloseable {
        final Pipe pipe;
        final Duplex duplex;
        final Path dir;
        final Fifo fifo;
        final ReadEnd fifoReader;

        Fixture() throws IOException {
            pipe = Pipe.open();
            duplex = Duplex.open();
            dir = Files.createTempDirectory("jipc-badio-");
            fifo = Fifo.create(dir.resolve("fifo"));
            fifoReader = fifo.openReadNonBlocking();
        }

        /** A closed write end of a fresh pipe (the read end closed too). */
        WriteEnd closedSink() throws IOException {
            Pipe p = Pipe.open();
            p.close();
            return p.sink();
        }

        ReadEnd closedSource() throws IOException {
            Pipe p = Pipe.open();
            p.close();
            return p.source();
        }

        void stillWorks() throws IOException {
            pipe.sink().writeFully(new byte[] {1, 2});
            ByteBuffer two = ByteBuffer.allocate(2);
            pipe.source().readFully(two);
            assertEquals(2, two.get(1));
            duplex.local().out().writeFully(new byte[] {3});
            ByteBuffer one = ByteBuffer.allocate(1);
            duplex.remote().in().readFully(one);
            assertEquals(3, one.get(0));
            try (WriteEnd w = fifo.openWriteNonBlocking()) {
                w.writeFully(new byte[] {4});
            }
            assertTrue(fifoReader.awaitReadable(Duration.ofSeconds(5)));
            assertEquals(1, fifoReader.available());
        }

        @Override
        public void close() throws IOException {
            try (pipe; duplex; fifoReader) {
                fifo.unlinkIfExists();
            } finally {
                try (Stream<Path> left = Files.list(dir)) {
                    for (Path p : left.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    static Stream<Case<Fixture>> cases() {
        return Stream.of(
                // Fd, ReadEnd, WriteEnd
                illegal("Fd.adopt(-1)", "fd=-1", f -> Fd.adopt(-1)),
                errno("Fd.adopt(not open)", "EBADF", f -> Fd.adopt(65000)),
                illegal("Fd.inherit(-1)", "fd=-1", f -> Fd.inherit(-1)),
                illegal("ReadEnd.inherit(-1)", "fd=-1", f -> ReadEnd.inherit(-1)),
                errno("WriteEnd.inherit(not open)", "EBADF", f -> WriteEnd.inherit(65000)),
                nullArgument("new ReadEnd(null)", "fd", f -> new ReadEnd(null)),
                nullArgument("new WriteEnd(null)", "fd", f -> new WriteEnd(null)),
                nullArgument("read(ByteBuffer null)", "dst", f -> f.pipe.source().read((ByteBuffer) null)),
                nullArgument("read(MemorySegment null)", "dst", f -> f.pipe.source().read((MemorySegment) null)),
                nullArgument("write(ByteBuffer null)", "src", f -> f.pipe.sink().write((ByteBuffer) null)),
                nullArgument("write(MemorySegment null)", "src", f -> f.pipe.sink().write((MemorySegment) null)),
                nullArgument("writeFully(byte[] null)", "bytes", f -> f.pipe.sink().writeFully((byte[]) null)),
                nullArgument("readFully(null)", "dst", f -> f.pipe.source().readFully(null)),
                illegal("read into a read-only buffer", "read-only",
                        f -> f.pipe.source().read(ByteBuffer.allocate(4).asReadOnlyBuffer())),
                of("read on a closed end", ClosedChannelException.class, null,
                        f -> f.closedSource().read(ByteBuffer.allocate(4))),
                of("write on a closed end", ClosedChannelException.class, null,
                        f -> f.closedSink().write(ByteBuffer.allocate(4))),
                of("awaitReadable on a closed end", ClosedChannelException.class, null,
                        f -> f.closedSource().awaitReadable(Duration.ZERO)),
                of("setBlocking on a closed end", ClosedChannelException.class, null,
                        f -> f.closedSink().setBlocking(false)),
                of("write with no reader", jipc.BrokenPipeException.class, "EPIPE", f -> {
                    Pipe p = Pipe.open();
                    p.source().close();
                    try (p) {
                        p.sink().write(ByteBuffer.allocate(1));
                    }
                }),
                illegal("setPipeCapacity(0)", "bytes=0", f -> f.pipe.sink().setPipeCapacity(0)),
                illegal("Pipe.setCapacity(-1)", "bytes=-1", f -> f.pipe.setCapacity(-1)),
                of("Pipe.setCapacity(Integer.MAX_VALUE)", ErrnoException.class, "F_SETPIPE_SZ",
                        f -> f.pipe.setCapacity(Integer.MAX_VALUE)),
                outOfRange("inputStream().read(off=-1)", "-1",
                        f -> f.pipe.source().inputStream().read(new byte[4], -1, 2)),
                outOfRange("inputStream().read(len past the end)", "5",
                        f -> f.pipe.source().inputStream().read(new byte[4], 0, 5)),
                nullArgument("inputStream().read(null)", "b", f -> f.pipe.source().inputStream().read(null, 0, 1)),
                outOfRange("outputStream().write(len=-1)", "-1",
                        f -> f.pipe.sink().outputStream().write(new byte[4], 0, -1)),
                nullArgument("outputStream().write(null)", "b", f -> f.pipe.sink().outputStream().write(null, 0, 1)),
                of("closed inputStream().read()", ClosedChannelException.class, null, f -> {
                    InputStream in = f.closedSource().inputStream();
                    in.read();
                }),
                of("closed outputStream().write()", ClosedChannelException.class, null, f -> {
                    OutputStream out = f.closedSink().outputStream();
                    out.write(1);
                }),
                nullArgument("FileStat.ofLink(null)", "path", f -> FileStat.ofLink(null)),
                errno("FileStat.ofLink(missing)", "ENOENT", f -> FileStat.ofLink("/nonexistent/jipc")),

                // Duplex
                nullArgument("Duplex side write(null)", "src", f -> f.duplex.local().write((ByteBuffer) null)),
                nullArgument("Duplex side read(null)", "dst", f -> f.duplex.local().read((ByteBuffer) null)),

                // Fifo
                nullArgument("Fifo.create(null)", "path", f -> Fifo.create(null)),
                nullArgument("Fifo.at(null)", "path", f -> Fifo.at(null)),
                illegal("Fifo.create(empty path)", "empty", f -> Fifo.create(Path.of(""))),
                illegal("Fifo.create(mode=-1)", "bits outside 0777", f -> Fifo.create(f.dir.resolve("m"), -1)),
                illegal("Fifo.create(mode=04777)", "bits outside 0777",
                        f -> Fifo.create(f.dir.resolve("m"), 04777)),
                errno("Fifo.create(existing)", "EEXIST", f -> Fifo.create(f.fifo.path())),
                errno("Fifo.create(no such directory)", "ENOENT",
                        f -> Fifo.create(f.dir.resolve("missing/fifo"))),
                errno("Fifo.at(missing)", "ENOENT", f -> Fifo.at(f.dir.resolve("missing"))),
                of("Fifo.at(a directory)", NotAFifoException.class, "directory", f -> Fifo.at(f.dir)),
                of("Fifo.at(a regular file)", NotAFifoException.class, "regular file",
                        f -> Fifo.at(Files.writeString(f.dir.resolve("file"), "x"))),
                nullArgument("Fifo.openWrite(null timeout)", "timeout", f -> f.fifo.openWrite((Duration) null)),

                // Spawn and ChildProcess
                nullArgument("Spawn.command((String[]) null)", "argv", f -> Spawn.command((String[]) null)),
                nullArgument("Spawn.command((List) null)", "argv", f -> Spawn.command((List<String>) null)),
                nullArgument("Spawn.command(null element)", "argv", f -> Spawn.command("true", null)),
                illegal("Spawn.command() empty", "argv is empty", f -> Spawn.command()),
                nullArgument("Spawn.java(null class)", "mainClass", f -> Spawn.java(null)),
                nullArgument("Spawn.java(null options)", "jvmOptions",
                        f -> Spawn.java(Fixture.class, (List<String>) null, "a")),
                nullArgument("Spawn.java(null argument)", "argv",
                        f -> Spawn.java(Fixture.class, "a", (String) null)),
                illegal("Spawn.command(NUL)", "NUL", f -> Spawn.command("tr\0ue")),
                illegal("Spawn.fd(-1)", "childFd=-1", f -> Spawn.command("true").fd(-1, f.pipe.sink())),
                illegal("Spawn.fd(1024)", "childFd=1024", f -> Spawn.command("true").fd(1024, f.pipe.sink())),
                nullArgument("Spawn.fd(1, null)", "end", f -> Spawn.command("true").fd(1, null)),
                illegal("Spawn.fd placed twice", "already placed",
                        f -> Spawn.command("true").shareFd(3, f.pipe.sink()).fd(3, f.pipe.source())),
                nullArgument("Spawn.env(null, v)", "name", f -> Spawn.command("true").env(null, "v")),
                nullArgument("Spawn.env(n, null)", "value", f -> Spawn.command("true").env("N", null)),
                illegal("Spawn.env(\"A=B\", v)", "A=B", f -> Spawn.command("true").env("A=B", "v")),
                illegal("Spawn.env(\"\", v)", "environment", f -> Spawn.command("true").env("", "v")),
                nullArgument("Spawn.unsetEnv(null)", "name", f -> Spawn.command("true").unsetEnv(null)),
                nullArgument("Spawn.directory(null)", "directory", f -> Spawn.command("true").directory(null)),
                errno("Spawn.start(no such program)", "ENOENT",
                        f -> Spawn.command("/nonexistent/jipc-program").start().close()),
                errno("Spawn.start(no such directory)", "ENOENT",
                        f -> Spawn.command("true").directory(f.dir.resolve("missing")).start().close()),
                errno("ChildProcess.signal(-1)", "EINVAL", f -> {
                    try (ChildProcess child = Spawn.command("sleep", "30").nullFd(0).start()) {
                        try {
                            child.signal(-1);
                        } finally {
                            child.destroyForcibly();
                            child.waitFor(Duration.ofSeconds(10));
                        }
                    }
                }),
                errno("ChildProcess.signal(65)", "EINVAL", f -> {
                    try (ChildProcess child = Spawn.command("sleep", "30").nullFd(0).start()) {
                        try {
                            child.signal(65);
                        } finally {
                            child.destroyForcibly();
                            child.waitFor(Duration.ofSeconds(10));
                        }
                    }
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
