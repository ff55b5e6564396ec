package jipc.stale;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import jipc.ErrnoException;
import jipc.channel.ChannelDescriptor;
import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.PartyState;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.shm.SharedMemoryListing;
import jipc.shm.SysVSharedMemory;
import jipc.shm.SysVStat;
import jipc.rpc.RpcDescriptor;
import jipc.topic.TopicDescriptor;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Judges the shared objects on this host: which are {@link Staleness#STALE} (every process they record is provably
 * gone), which are {@link Staleness#IN_USE}, which record nothing and are {@link Staleness#UNKNOWN}. Never a timer,
 * never a guess: an object whose creator may be alive is never stale.
 *
 * <h2>System V segments</h2>
 * Stale when, in {@code shmid_ds} ({@code shmctl(IPC_STAT)}): no process is attached ({@code shm_nattch == 0}), it is
 * not already marked for removal, and both the creator ({@code shm_cpid}) and the last process that attached or
 * detached ({@code shm_lpid}, if any) are gone. A pid is gone when no process has it ({@code kill(pid, 0)} fails with
 * {@code ESRCH}), when its process is a zombie, or when its process started at least 2 seconds after the time the
 * kernel recorded with the pid: {@code shm_ctime} (creation, or a later {@code IPC_SET}) for the creator, the later of
 * {@code shm_atime} and {@code shm_dtime} for the last attacher. Such a process cannot be the recorded one: the pid
 * was reused. (Process start times are {@code btime} of {@code /proc/stat} plus field 22 of {@code /proc/PID/stat};
 * both clocks are whole seconds of the wall clock, so a wall clock stepped forward by more than the slack between
 * the segment's creation and the check could make a live creator look newer than its segment.) A process that only
 * knows the key or id and is neither the creator nor the last attacher is not recorded anywhere and cannot be seen.
 *
 * <h2>jipc channels in {@code /dev/shm}</h2>
 * An object whose header is a jipc channel ({@code docs/channel-format.md}) records its parties by party id
 * ({@code jipc.live}: a lock the kernel holds for each process, judged the same from every pid namespace): its
 * creator, its consumer, its producer (one-producer channel) and each producer slot's holder. Stale when at least one
 * party is recorded, every recorded party is certainly dead (one that cannot be judged keeps it), and no process of
 * this pid namespace maps or holds the object open ({@code /proc/PID/maps} and {@code /proc/PID/fd} of the processes
 * this user may read: an extra check). A channel that records nobody is unknown; one of another layout version too.
 *
 * <h2>jipc topics in {@code /dev/shm}</h2>
 * The same rule for an object whose header is a jipc topic ({@code docs/topic-format.md}, magic "JIPCTOP1"): its
 * recorded parties are its creator, its publisher and the holder of each of its 64 subscriber slots.
 *
 * <h2>Liveness tokens</h2>
 * {@code /dev/shm/jipc.live.*}: stale once nobody holds its lock (its process is dead), else in use.
 *
 * <h2>Everything else</h2>
 * Other POSIX objects (including {@code SharedSemaphore}s) and POSIX named semaphores ({@code /dev/shm/sem.*})
 * record no creator: unknown, never stale.
 *
 * <p>Cost: {@code scan} lists {@code /dev/shm} and {@code /proc/sysvipc/shm}, maps each POSIX object of channel size
 * or more read-only to read its header, does one {@code shmctl(IPC_STAT)} per System V segment, a {@code kill(pid, 0)}
 * and a read of {@code /proc/PID/stat} per System V creator and last attacher, three system calls per recorded party,
 * and reads every readable process's {@code maps} and {@code fd} once if a channel or topic has only dead parties.
 */
public final class StaleObjects {
    private StaleObjects() {
    }

    private static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();

    /**
     * Every shared memory object of this host with its verdict, in {@link SharedMemoryListing#all()} order.
     *
     * @return one verdict per object
     * @throws IOException if {@code /dev/shm} or {@code /proc/sysvipc/shm} cannot be read
     */
    public static List<Verdict> scan() throws IOException {
        Supplier<Set<String>> opened = lazy();
        List<Verdict> verdicts = new ArrayList<>();
        for (SharedMemoryInfo info : SharedMemoryListing.all()) {
            Verdict verdict = judge(info, opened);
            if (verdict != null) {
                verdicts.add(verdict);
            }
        }
        return verdicts;
    }

    /**
     * Judges {@code object} again, now, and removes it ({@code shm_unlink}, or {@code shmctl(IPC_RMID)}) only if it is
     * still stale. Between the judgement and the removal a process could still open it by name or attach by id (a
     * window of one system call); it then keeps its mapping, as after any {@code rm}.
     *
     * @param object an object from {@link #scan()} or {@link SharedMemoryListing}
     * @return the fresh verdict (the object was removed iff it {@link Verdict#isStale()}), or {@code null} if the
     *         object is gone already
     * @throws ErrnoException from the removal (e.g. {@code EPERM} for another user's segment)
     */
    public static Verdict removeIfStale(SharedMemoryInfo object) throws IOException {
        Verdict verdict = judge(object, lazy());
        if (verdict == null || !verdict.isStale()) {
            return verdict;
        }
        try {
            if (object.kind() == SharedMemoryInfo.Kind.SYSV) {
                SysVSharedMemory.remove(object.id());
            } else {
                PosixSharedMemory.unlink(object.name());
            }
        } catch (ErrnoException e) {
            if (e.is("ENOENT") || e.is("EINVAL") || e.is("EIDRM")) {
                return null; // removed by someone else meanwhile
            }
            throw e;
        }
        return verdict;
    }

    private static Supplier<Set<String>> lazy() {
        return new Supplier<>() {
            private Set<String> names;

            @Override
            public Set<String> get() {
                if (names == null) {
                    names = OpenedShm.inAnyProcess();
                }
                return names;
            }
        };
    }

    /** The verdict on {@code info}, or null if it vanished meanwhile. */
    static Verdict judge(SharedMemoryInfo info, Supplier<Set<String>> opened) throws IOException {
        return info.kind() == SharedMemoryInfo.Kind.SYSV ? judgeSystemV(info) : judgePosix(info, opened);
    }

    // ---- System V ---------------------------------------------------------------------------------------------

    private static Verdict judgeSystemV(SharedMemoryInfo info) throws IOException {
        if (info.markedForRemoval()) {
            return new Verdict(info, Staleness.IN_USE, "removed already, " + info.attachCount()
                    + " still attached");
        }
        SysVStat stat;
        try (SysVSharedMemory segment = SysVSharedMemory.ofId(info.id())) {
            stat = segment.stat();
        } catch (ErrnoException e) {
            if (e.is("EINVAL") || e.is("EIDRM")) {
                return null;
            }
            return new Verdict(info, Staleness.UNKNOWN, "cannot read shmid_ds: " + e.getMessage());
        }
        if (stat.markedForRemoval() || stat.attachCount() > 0) {
            return new Verdict(info, Staleness.IN_USE, stat.attachCount() + " attached");
        }
        if (stat.creatorPid() <= 0) {
            return new Verdict(info, Staleness.IN_USE, "creator pid 0: it ran in a pid namespace not visible from"
                    + " here, cannot decide");
        }
        String creator = ProcessClock.whyGone(stat.creatorPid(), stat.lastChange());
        if (creator == null) {
            return new Verdict(info, Staleness.IN_USE, "creator pid " + stat.creatorPid() + " may run");
        }
        StringBuilder reason = new StringBuilder("0 attached; creator pid ").append(stat.creatorPid()).append(' ')
                .append(creator);
        if (stat.lastPid() != 0 && stat.lastPid() != stat.creatorPid()) {
            Instant last = stat.lastAttach().isAfter(stat.lastDetach()) ? stat.lastAttach() : stat.lastDetach();
            String lastUser = ProcessClock.whyGone(stat.lastPid(), last);
            if (lastUser == null) {
                return new Verdict(info, Staleness.IN_USE, "last attacher pid " + stat.lastPid() + " may run");
            }
            reason.append("; last attacher pid ").append(stat.lastPid()).append(' ').append(lastUser);
        }
        return new Verdict(info, Staleness.STALE, reason.toString());
    }

    // ---- POSIX ------------------------------------------------------------------------------------------------

    private static Verdict judgePosix(SharedMemoryInfo info, Supplier<Set<String>> opened) {
        if (info.name().startsWith("/sem.")) {
            return new Verdict(info, Staleness.UNKNOWN, "a named semaphore: records no creator");
        }
        if (info.name().startsWith("/" + LivenessDescriptor.TOKEN_PREFIX)) {
            return judgeToken(info);
        }
        if (info.size() < ChannelDescriptor.HEADER_LENGTH + ChannelDescriptor.MIN_CAPACITY) {
            return new Verdict(info, Staleness.UNKNOWN, "not a jipc channel, topic or rpc object: records no creator");
        }
        List<String> alive = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        String kind;
        try (PosixSharedMemory shm = PosixSharedMemory.openReadOnly(info.name());
             Mapping mapping = shm.mapReadOnly()) {
            MemorySegment header = mapping.segment();
            long magic = header.byteSize() < ChannelDescriptor.HEADER_LENGTH ? 0
                    : (long) LONG.getAcquire(header, (long) ChannelDescriptor.MAGIC_OFFSET);
            if (magic == TopicDescriptor.MAGIC) {
                kind = "jipc topic";
                String unknown = judgeTopic(header, alive, dead);
                if (unknown != null) {
                    return new Verdict(info, Staleness.UNKNOWN, unknown);
                }
            } else if (magic == RpcDescriptor.MAGIC) {
                kind = "jipc rpc object";
                String unknown = judgeRpc(header, alive, dead);
                if (unknown != null) {
                    return new Verdict(info, Staleness.UNKNOWN, unknown);
                }
            } else if (magic == ChannelDescriptor.MAGIC) {
                kind = "jipc channel";
                String unknown = judgeChannel(header, alive, dead);
                if (unknown != null) {
                    return new Verdict(info, Staleness.UNKNOWN, unknown);
                }
            } else {
                return new Verdict(info, Staleness.UNKNOWN, "not a jipc channel, topic or rpc object: records no creator");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ErrnoException errno && errno.is("ENOENT")) {
                return null;
            }
            return new Verdict(info, Staleness.UNKNOWN, "cannot read it: " + e.getMessage());
        }
        if (!alive.isEmpty()) {
            return new Verdict(info, Staleness.IN_USE, kind + "; " + String.join(", ", alive));
        }
        if (dead.isEmpty()) {
            return new Verdict(info, Staleness.UNKNOWN, kind + " that records no process");
        }
        if (opened.get().contains(info.name())) {
            return new Verdict(info, Staleness.IN_USE, kind + " mapped or open in a process ("
                    + String.join(", ", dead) + ")");
        }
        return new Verdict(info, Staleness.STALE, kind + "; " + String.join(", ", dead) + "; mapped nowhere else");
    }

    /** Sorts a channel's parties into alive and dead; returns why it cannot be judged, or null. */
    private static String judgeChannel(MemorySegment header, List<String> alive, List<String> dead) {
        int version = header.get(JAVA_INT, ChannelDescriptor.VERSION_OFFSET);
        if (version != ChannelDescriptor.LAYOUT_VERSION) {
            return "a jipc channel of layout version " + version + " (this jipc judges version "
                    + ChannelDescriptor.LAYOUT_VERSION + " only)";
        }
        judge("creator", header, ChannelDescriptor.CREATOR_PARTY_OFFSET, ChannelDescriptor.CREATOR_PID_OFFSET,
                ChannelDescriptor.CREATOR_PID_NAMESPACE_OFFSET, alive, dead);
        judge("consumer", header, ChannelDescriptor.CONSUMER_PARTY_OFFSET, ChannelDescriptor.CONSUMER_PID_OFFSET,
                ChannelDescriptor.CONSUMER_PID_NAMESPACE_OFFSET, alive, dead);
        int flags = header.get(JAVA_INT, ChannelDescriptor.FLAGS_OFFSET);
        if ((flags & ChannelDescriptor.FLAG_MANY_PRODUCERS) != 0) {
            for (int slot = 0; slot < ChannelDescriptor.MAX_PRODUCER_SLOTS; slot++) {
                long offset = ChannelDescriptor.producerSlotOffset(slot);
                judge("producer", header, offset + ChannelDescriptor.SLOT_PARTY_OFFSET,
                        offset + ChannelDescriptor.SLOT_PID_OFFSET,
                        offset + ChannelDescriptor.SLOT_PID_NAMESPACE_OFFSET, alive, dead);
            }
        } else {
            judge("producer", header, ChannelDescriptor.PRODUCER_PARTY_OFFSET,
                    ChannelDescriptor.PRODUCER_PID_OFFSET, ChannelDescriptor.PRODUCER_PID_NAMESPACE_OFFSET,
                    alive, dead);
        }
        return null;
    }

    /**
     * Sorts a topic's parties ({@code docs/topic-format.md}: creator, publisher, each subscriber slot's holder) into
     * alive and dead; returns why it cannot be judged, or null.
     */
    /**
     * Sorts an rpc object's parties (creator, service, client slots) into alive and dead; returns why it cannot be
     * judged, or null. The channels inside hold the same parties (the service consumes the requests and produces the
     * responses, each client the other ends), so the rpc header names them all.
     */
    private static String judgeRpc(MemorySegment header, List<String> alive, List<String> dead) {
        int version = header.get(JAVA_INT, RpcDescriptor.VERSION_OFFSET);
        if (version != RpcDescriptor.LAYOUT_VERSION) {
            return "a jipc rpc object of layout version " + version + " (this jipc judges version "
                    + RpcDescriptor.LAYOUT_VERSION + " only)";
        }
        int clients = header.get(JAVA_INT, RpcDescriptor.CLIENT_SLOTS_OFFSET);
        if (clients < 1 || clients > RpcDescriptor.MAX_CLIENT_SLOTS
                || RpcDescriptor.clientSlotOffset(clients) > header.byteSize()) {
            return "a jipc rpc object with " + clients + " client slots (not in [1, "
                    + RpcDescriptor.MAX_CLIENT_SLOTS + "])";
        }
        judge("creator", header, RpcDescriptor.CREATOR_PARTY_OFFSET, RpcDescriptor.CREATOR_PID_OFFSET,
                RpcDescriptor.CREATOR_PID_NAMESPACE_OFFSET, alive, dead);
        judge("service", header, RpcDescriptor.SERVICE_PARTY_OFFSET, RpcDescriptor.SERVICE_PID_OFFSET,
                RpcDescriptor.SERVICE_PID_NAMESPACE_OFFSET, alive, dead);
        for (int i = 0; i < clients; i++) {
            long slot = RpcDescriptor.clientSlotOffset(i);
            judge("client", header, slot + RpcDescriptor.SLOT_PARTY_OFFSET, slot + RpcDescriptor.SLOT_PID_OFFSET,
                    slot + RpcDescriptor.SLOT_PID_NAMESPACE_OFFSET, alive, dead);
        }
        return null;
    }

    private static String judgeTopic(MemorySegment header, List<String> alive, List<String> dead) {
        int version = header.get(JAVA_INT, TopicDescriptor.VERSION_OFFSET);
        if (version != TopicDescriptor.LAYOUT_VERSION) {
            return "a jipc topic of layout version " + version + " (this jipc judges version "
                    + TopicDescriptor.LAYOUT_VERSION + " only)";
        }
        if (header.byteSize() < TopicDescriptor.HEADER_LENGTH) {
            return "a jipc topic smaller than its header (" + header.byteSize() + " bytes)";
        }
        judge("creator", header, TopicDescriptor.CREATOR_PARTY_OFFSET, TopicDescriptor.CREATOR_PID_OFFSET,
                TopicDescriptor.CREATOR_PID_NAMESPACE_OFFSET, alive, dead);
        judge("publisher", header, TopicDescriptor.PUBLISHER_PARTY_OFFSET, TopicDescriptor.PUBLISHER_PID_OFFSET,
                TopicDescriptor.PUBLISHER_PID_NAMESPACE_OFFSET, alive, dead);
        for (int slot = 0; slot < TopicDescriptor.SLOT_COUNT; slot++) {
            long offset = TopicDescriptor.slotOffset(slot);
            judge("subscriber", header, offset + TopicDescriptor.SLOT_PARTY_OFFSET,
                    offset + TopicDescriptor.SLOT_PID_OFFSET, offset + TopicDescriptor.SLOT_PID_NAMESPACE_OFFSET,
                    alive, dead);
        }
        return null;
    }

    /**
     * A liveness token ({@code jipc.live}): in use while its process holds the lock, stale once it does not. A token
     * file that is not locked is dead for good, so removing it changes no verdict.
     */
    private static Verdict judgeToken(SharedMemoryInfo info) {
        String name = info.name().substring(1);
        PartyState state = Liveness.checkTokenFile(name);
        if (state.mayBeAlive()) {
            return new Verdict(info, Staleness.IN_USE, "jipc liveness token; " + state.reason());
        }
        if (state.life() == PartyState.Life.DEAD && state.reason().endsWith("is gone")) {
            return null;
        }
        return new Verdict(info, Staleness.STALE, "jipc liveness token of a dead process; " + state.reason());
    }

    /** Sorts the party recorded in the 64-bit word at {@code partyOffset} (if any) into alive or dead, with words. */
    private static void judge(String role, MemorySegment header, long partyOffset, long pidOffset,
                              long pidNamespaceOffset, List<String> alive, List<String> dead) {
        long party = (long) LONG.getAcquire(header, partyOffset);
        if (party == 0) {
            return;
        }
        String who = role + " " + Liveness.describe((int) INT.getAcquire(header, pidOffset),
                (long) LONG.getAcquire(header, pidNamespaceOffset));
        PartyState state = Liveness.check(party);
        (state.mayBeAlive() ? alive : dead).add(who + " " + state.word() + " (" + state.reason() + ")");
    }

}
