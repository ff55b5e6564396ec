package jipc.cli;

import jipc.channel.SharedChannel;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SysVSharedMemory;

/**
 * The process {@link CleanIT} kills: {@code PREFIX KEY} creates a one-producer channel it consumes
 * ({@code PREFIX-consumed}), a many-producer channel it produces into ({@code PREFIX-produced}), a plain POSIX object
 * ({@code PREFIX-plain}) and a System V segment with {@code KEY} that it keeps attached; prints {@code ready ID} and
 * sleeps at most two minutes.
 */
public final class StaleMaker {
    private StaleMaker() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        SharedChannel consumed = SharedChannel.create(prefix + "-consumed", 1024, 64);
        consumed.channel().registerConsumer();
        SharedChannel produced = SharedChannel.createManyToOne(prefix + "-produced", 1024, 64);
        produced.manyToOne().offer(1, new byte[] {42}, 0, 1);
        PosixSharedMemory.create(prefix + "-plain", 4096).close();
        SysVSharedMemory segment = SysVSharedMemory.create(Integer.decode(args[1]), 4096);
        segment.map();
        System.out.println("ready " + segment.id());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
