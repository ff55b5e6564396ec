package jipc.cli.top;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import jipc.channel.ChannelDescriptor;
import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.PartyState;
import jipc.rpc.RpcDescriptor;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.stale.StaleObjects;
import jipc.stale.Verdict;
import jipc.topic.TopicDescriptor;
import jipc.topic.TopicRecordDescriptor;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads every jipc object of the host for {@code jipc top}, read-only: the list and verdicts of
 * {@link StaleObjects#scan()}, then, for each POSIX object that is a jipc channel, topic or rpc object, its header
 * through a read-only mapping ({@code shm_open(O_RDONLY)}, {@code mmap(PROT_READ)}), unmapped again at once. It never
 * writes and never takes a role; it only loads the counters the parties publish, and asks {@link Liveness} about the
 * parties the header records (three system calls each).
 *
 * <p>The verdicts are taken while this process maps nothing ({@link StaleObjects} counts mappings of every process,
 * this one included).
 */
final class Sampler {
    private static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final String prefix;

    /** @param prefix only objects whose name starts with it ({@code /name}, {@code id:N}); null for all */
    Sampler(String prefix) {
        this.prefix = prefix;
    }

    /** The verdicts on the objects that match the prefix (liveness tokens left out: they are jipc's own). */
    List<Verdict> objects() throws IOException {
        List<Verdict> matching = new ArrayList<>();
        for (Verdict verdict : StaleObjects.scan()) {
            SharedMemoryInfo info = verdict.object();
            if (info.kind() == SharedMemoryInfo.Kind.POSIX
                    && info.name().startsWith("/" + LivenessDescriptor.TOKEN_PREFIX)) {
                continue;
            }
            if (prefix == null || displayName(info).startsWith(prefix)) {
                matching.add(verdict);
            }
        }
        return matching;
    }

    /** Reads the headers of {@code objects} now; an object removed since is left out. */
    List<Snapshot> read(List<Verdict> objects) {
        List<Snapshot> snapshots = new ArrayList<>(objects.size());
        for (Verdict verdict : objects) {
            Snapshot s = read(verdict);
            if (s != null) {
                snapshots.add(s);
            }
        }
        return snapshots;
    }

    /** A semaphore's name as {@code sem_open} takes it, a segment's as {@code id:N}, else the object's name. */
    static String displayName(SharedMemoryInfo info) {
        if (info.kind() == SharedMemoryInfo.Kind.SYSV) {
            return "id:" + info.id();
        }
        return info.name().startsWith("/sem.") ? "/" + info.name().substring(5) : info.name();
    }

    private static Snapshot read(Verdict verdict) {
        SharedMemoryInfo info = verdict.object();
        String state = switch (verdict.staleness()) {
            case STALE -> "stale";
            case IN_USE -> "in-use";
            case UNKNOWN -> "unknown";
        };
        if (info.kind() == SharedMemoryInfo.Kind.SYSV) {
            return plain("sysv", info, state, verdict.reason());
        }
        if (info.name().startsWith("/sem.")) {
            return plain("sem", info, state, verdict.reason());
        }
        if (info.size() < ChannelDescriptor.HEADER_LENGTH + ChannelDescriptor.MIN_CAPACITY) {
            return plain("shm", info, state, verdict.reason());
        }
        try (PosixSharedMemory shm = PosixSharedMemory.openReadOnly(info.name());
             Mapping mapping = shm.mapReadOnly()) {
            MemorySegment header = mapping.segment();
            long magic = (long) LONG.getAcquire(header, (long) ChannelDescriptor.MAGIC_OFFSET);
            if (magic == ChannelDescriptor.MAGIC
                    && header.get(JAVA_INT, ChannelDescriptor.VERSION_OFFSET) == ChannelDescriptor.LAYOUT_VERSION) {
                return channel(info, header, state, verdict.reason());
            }
            if (magic == TopicDescriptor.MAGIC && header.byteSize() >= TopicDescriptor.HEADER_LENGTH
                    && header.get(JAVA_INT, TopicDescriptor.VERSION_OFFSET) == TopicDescriptor.LAYOUT_VERSION) {
                return topic(info, header, state, verdict.reason());
            }
            if (magic == RpcDescriptor.MAGIC
                    && header.get(JAVA_INT, RpcDescriptor.VERSION_OFFSET) == RpcDescriptor.LAYOUT_VERSION) {
                return rpc(info, header, state, verdict.reason());
            }
            return plain("shm", info, state, verdict.reason());
        } catch (IOException | RuntimeException e) {
            // removed meanwhile (ENOENT), not ours to read (EACCES), or truncated under us: shown as plain memory
            return plain("shm", info, state, verdict.reason() + "; cannot read its header: " + e.getMessage());
        }
    }

    private static Snapshot plain(String kind, SharedMemoryInfo info, String state, String why) {
        return new Snapshot(kind, null, displayName(info), info.size(), System.nanoTime(), -1, -1, -1, -1, -1, 0,
                null, -1, -1, -1, -1, info.kind() == SharedMemoryInfo.Kind.SYSV ? info.attachCount() : -1,
                state, why);
    }

    private static Snapshot channel(SharedMemoryInfo info, MemorySegment h, String state, String why) {
        return channelAt(info, h, 0, "channel", state, why);
    }

    /** A channel image at {@code base} of {@code h}: a channel object (base 0) or an rpc object's request channel. */
    private static Snapshot channelAt(SharedMemoryInfo info, MemorySegment h, long base, String kind, String state,
                                      String why) {
        // the head first: a tail read after it is never behind it, so tail - head is never negative
        long head = (long) LONG.getAcquire(h, base + ChannelDescriptor.HEAD_OFFSET);
        long tail = (long) LONG.getAcquire(h, base + ChannelDescriptor.TAIL_OFFSET);
        long at = System.nanoTime();
        long capacity = h.get(JAVA_LONG, base + ChannelDescriptor.CAPACITY_OFFSET);
        boolean many = (h.get(JAVA_INT, base + ChannelDescriptor.FLAGS_OFFSET)
                & ChannelDescriptor.FLAG_MANY_PRODUCERS) != 0;
        long consumerParty = (long) LONG.getAcquire(h, base + ChannelDescriptor.CONSUMER_PARTY_OFFSET);
        int consumerPid = consumerParty == 0 ? 0
                : (int) INT.getAcquire(h, base + ChannelDescriptor.CONSUMER_PID_OFFSET);
        long sleeping = (int) INT.getAcquire(h, base + ChannelDescriptor.CONSUMER_WAITING_OFFSET) != 0 ? 1 : 0;
        long waiting = Long.bitCount((long) LONG.getAcquire(h, base + ChannelDescriptor.PRODUCERS_WAITING_OFFSET));
        long producers = 0;
        long producersAlive = 0;
        if (many) {
            for (int slot = 0; slot < ChannelDescriptor.MAX_PRODUCER_SLOTS; slot++) {
                long party = (long) LONG.getAcquire(h, base + ChannelDescriptor.producerSlotOffset(slot)
                        + ChannelDescriptor.SLOT_PARTY_OFFSET);
                if (party != 0) {
                    producers++;
                    producersAlive += Liveness.check(party).mayBeAlive() ? 1 : 0;
                }
            }
        } else {
            long party = (long) LONG.getAcquire(h, base + ChannelDescriptor.PRODUCER_PARTY_OFFSET);
            if (party != 0) {
                producers = 1;
                producersAlive = Liveness.check(party).mayBeAlive() ? 1 : 0;
            }
        }
        return new Snapshot(kind, kind.equals("channel") ? (many ? "N:1" : "1:1") : null, displayName(info),
                info.size(), at, capacity, tail, head, -1, tail - head, consumerPid, verdict(consumerParty),
                sleeping, producers, producersAlive, waiting, -1, state, why);
    }

    private static Snapshot topic(SharedMemoryInfo info, MemorySegment h, String state, String why) {
        long tail = (long) LONG.getAcquire(h, (long) TopicDescriptor.TAIL_OFFSET);
        long at = System.nanoTime();
        long capacity = h.get(JAVA_LONG, TopicDescriptor.CAPACITY_OFFSET);
        long sequence = -1;
        if (Long.bitCount(capacity) == 1 && TopicDescriptor.HEADER_LENGTH + capacity <= h.byteSize()) {
            // the look-ahead header at the tail carries the next sequence number (docs/topic-format.md)
            long index = tail & (capacity - 1) & -TopicRecordDescriptor.ALIGNMENT;
            sequence = (long) LONG.getAcquire(h, TopicDescriptor.HEADER_LENGTH + index
                    + TopicRecordDescriptor.SEQUENCE_OFFSET);
        }
        boolean overwrite = (h.get(JAVA_INT, TopicDescriptor.FLAGS_OFFSET) & TopicDescriptor.FLAG_OVERWRITE) != 0;
        long publisherParty = (long) LONG.getAcquire(h, (long) TopicDescriptor.PUBLISHER_PARTY_OFFSET);
        int publisherPid = publisherParty == 0 ? 0 : (int) INT.getAcquire(h, (long) TopicDescriptor.PUBLISHER_PID_OFFSET);
        long sleepingSet = (long) LONG.getAcquire(h, (long) TopicDescriptor.SLEEPING_OFFSET);
        long waiting = (int) INT.getAcquire(h, (long) TopicDescriptor.PUBLISHER_WAITING_OFFSET) != 0 ? 1 : 0;
        long subscribers = 0;
        long subscribersAlive = 0;
        long sleeping = 0;
        long maxLag = 0;
        for (int slot = 0; slot < TopicDescriptor.SLOT_COUNT; slot++) {
            long offset = TopicDescriptor.slotOffset(slot);
            long party = (long) LONG.getAcquire(h, offset + TopicDescriptor.SLOT_PARTY_OFFSET);
            if (party == 0) {
                continue;
            }
            subscribers++;
            subscribersAlive += Liveness.check(party).mayBeAlive() ? 1 : 0;
            sleeping += (sleepingSet >>> slot) & 1;
            long cursor = (long) LONG.getAcquire(h, offset + TopicDescriptor.SLOT_CURSOR_OFFSET);
            if (cursor >= 0) {
                maxLag = Math.max(maxLag, tail - cursor);
            }
        }
        return new Snapshot("topic", overwrite ? "overwrite" : "block", displayName(info), info.size(), at, capacity,
                tail, -1, sequence, maxLag, publisherPid, verdict(publisherParty), sleeping, subscribers,
                subscribersAlive, waiting, -1, state, why);
    }

    private static Snapshot rpc(SharedMemoryInfo info, MemorySegment h, String state, String why) {
        int clientSlots = h.get(JAVA_INT, RpcDescriptor.CLIENT_SLOTS_OFFSET);
        long requestOffset = h.get(JAVA_LONG, RpcDescriptor.REQUEST_OFFSET_OFFSET);
        if (clientSlots < 1 || clientSlots > RpcDescriptor.MAX_CLIENT_SLOTS || requestOffset < 0
                || requestOffset > h.byteSize() - ChannelDescriptor.HEADER_LENGTH) {
            return plain("shm", info, state, why + "; an rpc header out of range");
        }
        // the request channel's counters, and the service and the clients in place of its consumer and producers
        Snapshot requests = channelAt(info, h, requestOffset, "rpc", state, why);
        long serviceParty = (long) LONG.getAcquire(h, (long) RpcDescriptor.SERVICE_PARTY_OFFSET);
        int servicePid = serviceParty == 0 ? 0 : (int) INT.getAcquire(h, (long) RpcDescriptor.SERVICE_PID_OFFSET);
        long clients = 0;
        long clientsAlive = 0;
        for (int i = 0; i < clientSlots; i++) {
            long party = (long) LONG.getAcquire(h, RpcDescriptor.clientSlotOffset(i) + RpcDescriptor.SLOT_PARTY_OFFSET);
            if (party != 0) {
                clients++;
                clientsAlive += Liveness.check(party).mayBeAlive() ? 1 : 0;
            }
        }
        return new Snapshot("rpc", null, requests.name(), requests.size(), requests.at(), requests.capacity(),
                requests.tail(), requests.head(), -1, requests.lag(), servicePid, verdict(serviceParty),
                requests.sleeping(), clients, clientsAlive, requests.waiting(), -1, state, why);
    }

    /** TRUE alive (or cannot decide), FALSE dead, null if no party is recorded. */
    private static Boolean verdict(long party) {
        PartyState s = Liveness.check(party);
        return s.life() == PartyState.Life.NONE ? null : s.mayBeAlive();
    }
}
