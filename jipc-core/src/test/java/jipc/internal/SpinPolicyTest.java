package jipc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The online-CPU count against the kernel's own list, and what it means for spinning. */
@Timeout(30)
class SpinPolicyTest {
    @Test
    void onlineCpusCoverEveryCpuThisProcessMayUse() throws Exception {
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
        int count = SpinPolicy.onlineCpus();
        assertTrue(count >= Runtime.getRuntime().availableProcessors(), online + " vs available "
                + Runtime.getRuntime().availableProcessors());
        int expected = 0;
        for (String range : online.split(",")) {
            String[] ends = range.split("-");
            expected += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        assertEquals(expected, count, online);
    }

    @Test
    void spinsOnlyWithMoreThanOneOnlineCpu() {
        assertEquals(SpinPolicy.onlineCpus() == 1, SpinPolicy.oneCpu());
        assertEquals(SpinPolicy.oneCpu() ? 0 : 1000, SpinPolicy.spins(1000));
    }
}
