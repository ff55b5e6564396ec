package jipc.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.channel.SharedChannel;
import jipc.fifo.Fifo;
import jipc.io.ReadEnd;
import jipc.shm.Memfd;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SysVSharedMemory;
import jipc.sync.NamedSemaphore;
import jipc.sync.SharedSemaphore;
import jipc.sync.SysVSemaphoreSet;
import jipc.topic.SharedTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every kind of object jipc creates is private to its owner (0600) unless asked otherwise, and another user (a C
 * program run as nobody by {@code setpriv}, see {@link Stranger}) can do with it exactly what its mode allows:
 * nothing by default; read but not write with 0644; read and write with 0660 only when in the object's group.
 * Modes are read from where the kernel keeps them ({@code stat} of the file, {@code /proc/sysvipc/*}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PermissionsTest {
    private static final String PREFIX = "/jipc-perm-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final List<String> DENIED_TWICE = List.of("EACCES", "EACCES");

    private static Stranger stranger;

    @BeforeAll
    static void stranger() throws IOException {
        stranger = Stranger.create();
    }

    @AfterAll
    static void removeStranger() throws IOException {
        if (stranger != null) {
            stranger.close();
        }
    }

    private static String uniqueName(String what) {
        return PREFIX + what + "-" + COUNTER.incrementAndGet();
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static String devShm(String name) throws IOException {
        return permissions(Path.of("/dev/shm", name.substring(1)));
    }

    /** The perms column (octal) of {@code id} in {@code /proc/sysvipc/shm} or {@code /proc/sysvipc/sem}. */
    private static String sysvPerms(String table, int id) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc", table))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[1].equals(Integer.toString(id))) {
                return f[2];
            }
        }
        throw new AssertionError("no id " + id + " in /proc/sysvipc/" + table);
    }

    // ---- the default: 0600, nothing for anyone else ---------------------------------------------------------

    @Test
    void posixSharedMemoryIsOwnerOnlyByDefault() throws IOException {
        String name = uniqueName("shm");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096)) {
            assertEquals("rw-------", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(DENIED_TWICE, stranger.triesInGroupZero("shm", name, "rw", "shm", name, "ro"),
                    "the group gets nothing either");
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void sharedSemaphoreCannotBeOpenedOrPostedByAnotherUser() throws IOException {
        String name = uniqueName("ssem");
        try (SharedSemaphore sem = SharedSemaphore.create(name, 0)) {
            assertEquals("rw-------", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(0, sem.semaphore().availablePermits(), "nobody posted");
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void sharedChannelCannotBeOpenedByAnotherUser() throws IOException {
        String name = uniqueName("chan");
        try (SharedChannel channel = SharedChannel.create(name, 4096, 64)) {
            assertEquals("rw-------", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(0, channel.channel().size());
        } finally {
            SharedChannel.unlinkIfExists(name);
        }
    }

    @Test
    void sharedTopicCannotBeOpenedByAnotherUser() throws IOException {
        String name = uniqueName("topic");
        try (SharedTopic topic = SharedTopic.create(name, 4096, 64)) {
            assertEquals("rw-------", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(0, topic.topic().subscriberCount());
        } finally {
            SharedTopic.unlinkIfExists(name);
        }
    }

    @Test
    void namedSemaphoreCannotBeOpenedOrPostedByAnotherUser() throws IOException {
        String name = uniqueName("nsem");
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            assertEquals("rw-------", devShm("/sem." + name.substring(1)));
            assertEquals(List.of("EACCES"), stranger.tries("sem", name, "post"));
            assertEquals(0, sem.value(), "nobody posted");
        } finally {
            NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void fifoCannotBeOpenedByAnotherUser() throws IOException {
        Path path = stranger.directory().resolve("default.fifo");
        Fifo fifo = Fifo.create(path);
        try (ReadEnd reader = fifo.openReadNonBlocking()) {
            assertEquals("rw-------", permissions(path));
            assertEquals(DENIED_TWICE, stranger.tries("fifo", path.toString(), "r", "fifo", path.toString(), "w"));
        } finally {
            fifo.unlinkIfExists();
        }
    }

    @Test
    void sysVSharedMemoryCannotBeAttachedByAnotherUser() throws IOException {
        try (SysVSharedMemory shm = SysVSharedMemory.createPrivate(4096)) {
            try {
                assertEquals("600", sysvPerms("shm", shm.id()));
                String id = Integer.toString(shm.id());
                assertEquals(DENIED_TWICE, stranger.tries("sysvshm", id, "rw", "sysvshm", id, "ro"));
            } finally {
                shm.remove();
            }
        }
    }

    @Test
    void sysVSemaphoreSetCannotBePostedByAnotherUser() throws IOException {
        try (SysVSemaphoreSet set = SysVSemaphoreSet.createPrivate(1)) {
            try {
                assertEquals("600", sysvPerms("sem", set.id()));
                assertEquals(List.of("EACCES"), stranger.tries("sysvsem", Integer.toString(set.id()), "post"));
                assertEquals(0, set.value(0), "nobody posted");
            } finally {
                set.remove();
            }
        }
    }

    @Test
    void memfdHasNoNameAndItsProcFdLinkIsClosedToAnotherUser() throws IOException {
        try (Memfd memfd = Memfd.create("perm", 4096)) {
            String link = "/proc/" + ProcessHandle.current().pid() + "/fd/" + memfd.fd().number();
            assertEquals(DENIED_TWICE, stranger.tries("path", link, "rw", "path", link, "ro"));
        }
    }

    // ---- explicit modes: exactly what was asked ----------------------------------------------------------------

    @Test
    void posixSharedMemoryWithMode0644IsReadOnlyForOthers() throws IOException {
        String name = uniqueName("shm644");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096, 0644)) {
            assertEquals("rw-r--r--", devShm(name));
            assertEquals(List.of("EACCES", "ok"), stranger.tries("shm", name, "rw", "shm", name, "ro"));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void posixSharedMemoryWithMode0660IsReadWriteForTheGroupOnly() throws IOException {
        String name = uniqueName("shm660");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096, 0660)) {
            assertEquals("rw-rw----", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(List.of("ok", "ok"), stranger.triesInGroupZero("shm", name, "rw", "shm", name, "ro"));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void sharedChannelWithMode0660CanBeMappedByTheGroupOnly() throws IOException {
        String name = uniqueName("chan660");
        try (SharedChannel channel = SharedChannel.createManyToOne(name, 4096, 64, 0660)) {
            assertEquals("rw-rw----", devShm(name));
            assertEquals(DENIED_TWICE, stranger.tries("shm", name, "rw", "shm", name, "ro"));
            assertEquals(List.of("ok"), stranger.triesInGroupZero("shm", name, "rw"));
            assertEquals(0, channel.manyToOne().size());
        } finally {
            SharedChannel.unlinkIfExists(name);
        }
    }

    @Test
    void sharedSemaphoreWithMode0660CanBeMappedByTheGroup() throws IOException {
        String name = uniqueName("ssem660");
        try (SharedSemaphore sem = SharedSemaphore.create(name, 0, 0660)) {
            assertEquals("rw-rw----", devShm(name));
            assertEquals(List.of("EACCES"), stranger.tries("shm", name, "rw"));
            assertEquals(List.of("ok"), stranger.triesInGroupZero("shm", name, "rw"));
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void namedSemaphoreWithMode0660CanBePostedByTheGroupOnly() throws IOException {
        String name = uniqueName("nsem660");
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0, 0660)) {
            assertEquals("rw-rw----", devShm("/sem." + name.substring(1)));
            assertEquals(List.of("EACCES"), stranger.tries("sem", name, "post"));
            assertEquals(List.of("ok"), stranger.triesInGroupZero("sem", name, "post"));
            assertEquals(1, sem.value(), "the group member's post arrived");
        } finally {
            NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void namedSemaphoreWithMode0644CannotBePostedByOthers() throws IOException {
        String name = uniqueName("nsem644");
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0, 0644)) {
            assertEquals("rw-r--r--", devShm("/sem." + name.substring(1)));
            assertEquals(List.of("EACCES"), stranger.tries("sem", name, "post"), "sem_open needs read and write");
            assertEquals(0, sem.value());
        } finally {
            NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void fifoWithMode0644CanBeReadButNotWrittenByOthers() throws IOException {
        Path path = stranger.directory().resolve("0644.fifo");
        Fifo fifo = Fifo.create(path, 0644);
        try (ReadEnd reader = fifo.openReadNonBlocking()) {
            assertEquals("rw-r--r--", permissions(path));
            assertEquals(List.of("ok", "EACCES"),
                    stranger.tries("fifo", path.toString(), "r", "fifo", path.toString(), "w"));
        } finally {
            fifo.unlinkIfExists();
        }
    }

    @Test
    void fifoWithMode0660CanBeWrittenByTheGroupOnly() throws IOException {
        Path path = stranger.directory().resolve("0660.fifo");
        Fifo fifo = Fifo.create(path, 0660);
        try (ReadEnd reader = fifo.openReadNonBlocking()) {
            assertEquals("rw-rw----", permissions(path));
            assertEquals(List.of("EACCES"), stranger.tries("fifo", path.toString(), "w"));
            assertEquals(List.of("ok"), stranger.triesInGroupZero("fifo", path.toString(), "w"));
        } finally {
            fifo.unlinkIfExists();
        }
    }

    @Test
    void sysVSharedMemoryWithMode0644CanBeAttachedReadOnlyByOthers() throws IOException {
        try (SysVSharedMemory shm = SysVSharedMemory.createPrivate(4096, 0644)) {
            try {
                assertEquals("644", sysvPerms("shm", shm.id()));
                String id = Integer.toString(shm.id());
                assertEquals(List.of("EACCES", "ok"), stranger.tries("sysvshm", id, "rw", "sysvshm", id, "ro"));
            } finally {
                shm.remove();
            }
        }
    }

    @Test
    void sysVSharedMemoryWithMode0660CanBeAttachedByTheGroupOnly() throws IOException {
        try (SysVSharedMemory shm = SysVSharedMemory.createPrivate(4096, 0660)) {
            try {
                assertEquals("660", sysvPerms("shm", shm.id()));
                String id = Integer.toString(shm.id());
                assertEquals(List.of("EACCES"), stranger.tries("sysvshm", id, "rw"));
                assertEquals(List.of("ok"), stranger.triesInGroupZero("sysvshm", id, "rw"));
            } finally {
                shm.remove();
            }
        }
    }

    @Test
    void sysVSemaphoreSetWithMode0660CanBePostedByTheGroupOnly() throws IOException {
        try (SysVSemaphoreSet set = SysVSemaphoreSet.createPrivate(1, 0660)) {
            try {
                assertEquals("660", sysvPerms("sem", set.id()));
                String id = Integer.toString(set.id());
                assertEquals(List.of("EACCES"), stranger.tries("sysvsem", id, "post"));
                assertEquals(List.of("ok"), stranger.triesInGroupZero("sysvsem", id, "post"));
                assertEquals(1, set.value(0), "the group member's post arrived");
            } finally {
                set.remove();
            }
        }
    }

    @Test
    void sysVSemaphoreSetWithMode0644CannotBePostedByOthers() throws IOException {
        try (SysVSemaphoreSet set = SysVSemaphoreSet.createPrivate(1, 0644)) {
            try {
                assertEquals("644", sysvPerms("sem", set.id()));
                assertEquals(List.of("EACCES"), stranger.tries("sysvsem", Integer.toString(set.id()), "post"));
                assertEquals(0, set.value(0));
            } finally {
                set.remove();
            }
        }
    }
}
