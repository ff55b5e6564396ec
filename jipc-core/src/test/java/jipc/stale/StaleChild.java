package jipc.stale;

import jipc.channel.SharedChannel;
import jipc.rpc.SharedRpc;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SysVSharedMemory;

/**
 * A process that leaves shared objects behind when it is killed: {@code PREFIX KEY} creates
 * <ul>
 *   <li>{@code PREFIX-consumed}: a one-producer channel it created and consumes (registered consumer);</li>
 *   <li>{@code PREFIX-produced}: a many-producer channel it created and holds a producer slot of;</li>
 *   <li>{@code PREFIX-created}: a channel it only created (then closed);</li>
 *   <li>{@code PREFIX-plain}: a POSIX object that is no channel;</li>
 *   <li>System V segments with keys {@code KEY} (attached once, detached) and {@code KEY + 1} (kept attached),</li>
 * </ul>
 * prints {@code ready ID1 ID2} and sleeps (at most two minutes, so a forgotten child ends).
 */
public final class StaleChild {
    private StaleChild() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        int key = Integer.parseInt(args[1]);
        SharedChannel consumed = SharedChannel.create(prefix + "-consumed", 1024, 64);
        consumed.channel().registerConsumer();
        SharedChannel produced = SharedChannel.createManyToOne(prefix + "-produced", 1024, 64);
        produced.manyToOne().attachProducer();
        SharedChannel.create(prefix + "-created", 1024, 64).close();
        PosixSharedMemory.create(prefix + "-plain", 8192).close();
        SharedRpc rpc = SharedRpc.create(prefix + "-rpc", 2, 4096, 4096);
        rpc.service();
        SysVSharedMemory detached = SysVSharedMemory.create(key, 4096);
        try (Mapping mapping = detached.map()) {
            mapping.setIntRelease(0, 42);
        }
        SysVSharedMemory attached = SysVSharedMemory.create(key + 1, 4096);
        attached.map();
        System.out.println("ready " + detached.id() + " " + attached.id());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
