/**
 * jipc: Linux inter-process communication for Java through {@code java.lang.foreign}.
 * Everything but {@code jipc.internal} (the libc bindings) is exported. The module calls restricted FFM methods:
 * run it with {@code --enable-native-access=jipc.core} (or {@code ALL-UNNAMED} on the class path).
 */
module jipc.core {
    exports jipc;
    exports jipc.io;
    exports jipc.process;
    exports jipc.pipe;
    exports jipc.fifo;
    exports jipc.shm;
    exports jipc.sync;
    exports jipc.channel;
    exports jipc.stale;
    exports jipc.live;
    exports jipc.topic;
    exports jipc.rpc;
}
