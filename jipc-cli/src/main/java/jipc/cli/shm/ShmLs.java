package jipc.cli.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import jipc.cli.Json;
import jipc.shm.SharedMemoryInfo;
import jipc.stale.StaleObjects;
import jipc.stale.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jipc shm ls [--json]}: every POSIX object in {@code /dev/shm} and System V segment in
 * {@code /proc/sysvipc/shm}, in one table (or JSON).
 */
@Command(name = "ls", description = {"List shared memory: POSIX objects (/dev/shm) and System V segments "
        + "(/proc/sysvipc/shm, what ipcs -m shows) in one table.",
        "Columns: KIND (posix/sysv); TARGET, what the other commands take (/name, or id:N for System V); KEY; SIZE "
                + "in bytes; OWNER; MODE (octal); ATTACHED, the processes attached; CPID, the creator's pid; ALIVE, "
                + "whether a process with that pid exists; STATE: 'stale' when every process the object records is "
                + "provably gone (what 'jipc clean' removes), 'in-use', or 'unknown' when it records no process. "
                + "POSIX objects record no creator and no attachments: '-' (a jipc channel or topic records its "
                + "processes in its header, which STATE reads). A System V segment marked for removal shows KEY 'removed'."})
public final class ShmLs implements Callable<Integer> {
    private static final String[] HEADER = {"KIND", "TARGET", "KEY", "SIZE", "OWNER", "MODE", "ATTACHED", "CPID",
        "ALIVE", "STATE"};
    /** Right-aligned columns (numbers). */
    private static final boolean[] RIGHT = {false, false, false, true, false, false, true, true, false, false, false};

    @Option(names = "--json", description = "Print a JSON array, one object per line, instead of the table.")
    boolean json;

    @Option(names = {"-w", "--why"}, description = "Add a WHY column: the reason for each STATE.")
    boolean why;

    @Override
    public Integer call() throws Exception {
        List<Verdict> all = StaleObjects.scan();
        Map<Integer, String> users = users();
        StringBuilder out = new StringBuilder();
        if (json) {
            json(all, users, out);
        } else {
            table(all, users, why, out);
        }
        System.out.print(out);
        System.out.flush();
        return 0;
    }

    /** The STATE column's word for a verdict. */
    public static String state(Verdict verdict) {
        return switch (verdict.staleness()) {
            case STALE -> "stale";
            case IN_USE -> "in-use";
            case UNKNOWN -> "unknown";
        };
    }

    private static void table(List<Verdict> all, Map<Integer, String> users, boolean why, StringBuilder out) {
        List<String[]> rows = new ArrayList<>();
        String[] header = HEADER;
        if (why) {
            header = Arrays.copyOf(HEADER, HEADER.length + 1);
            header[HEADER.length] = "WHY";
        }
        rows.add(header);
        for (Verdict verdict : all) {
            SharedMemoryInfo info = verdict.object();
            boolean sysv = info.kind() == SharedMemoryInfo.Kind.SYSV;
            rows.add(new String[] {
                sysv ? "sysv" : "posix",
                sysv ? "id:" + info.id() : info.name(),
                !sysv ? "-" : info.markedForRemoval() ? "removed" : info.key() == 0 ? "private" : info.name(),
                Long.toString(info.size()),
                users.getOrDefault(info.uid(), Integer.toString(info.uid())),
                octal(info.mode()),
                sysv ? Long.toString(info.attachCount()) : "-",
                sysv ? Integer.toString(info.creatorPid()) : "-",
                switch (info.creator()) {
                    case ALIVE -> "yes";
                    case DEAD -> "no";
                    case UNKNOWN -> "-";
                },
                state(verdict),
                verdict.reason(),
            });
            if (!why) {
                rows.set(rows.size() - 1, Arrays.copyOf(rows.getLast(), HEADER.length));
            }
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String pad = " ".repeat(width[i] - row[i].length());
                line.append(RIGHT[i] ? pad + row[i] : row[i] + pad).append("  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static void json(List<Verdict> all, Map<Integer, String> users, StringBuilder out) {
        out.append('[');
        String separator = "\n";
        for (Verdict verdict : all) {
            SharedMemoryInfo info = verdict.object();
            boolean sysv = info.kind() == SharedMemoryInfo.Kind.SYSV;
            out.append(separator).append("  {\"kind\": \"").append(sysv ? "sysv" : "posix").append('"');
            out.append(", \"target\": ").append(Json.quote(sysv ? "id:" + info.id() : info.name()));
            out.append(", \"name\": ").append(sysv ? "null" : Json.quote(info.name()));
            out.append(", \"key\": ").append(sysv ? Integer.toUnsignedString(info.key()) : "null");
            out.append(", \"id\": ").append(sysv ? Integer.toString(info.id()) : "null");
            out.append(", \"size\": ").append(info.size());
            out.append(", \"uid\": ").append(info.uid());
            String user = users.get(info.uid());
            out.append(", \"owner\": ").append(user == null ? "null" : Json.quote(user));
            out.append(", \"mode\": \"").append(octal(info.mode())).append('"');
            out.append(", \"attached\": ").append(sysv ? Long.toString(info.attachCount()) : "null");
            out.append(", \"creatorPid\": ").append(sysv ? Integer.toString(info.creatorPid()) : "null");
            out.append(", \"lastPid\": ").append(sysv ? Integer.toString(info.lastPid()) : "null");
            out.append(", \"creatorAlive\": ").append(switch (info.creator()) {
                case ALIVE -> "true";
                case DEAD -> "false";
                case UNKNOWN -> "null";
            });
            out.append(", \"markedForRemoval\": ").append(info.markedForRemoval());
            out.append(", \"state\": \"").append(state(verdict)).append('"');
            out.append(", \"why\": ").append(Json.quote(verdict.reason())).append('}');
            separator = ",\n";
        }
        out.append(all.isEmpty() ? "]\n" : "\n]\n");
    }

    private static String octal(int mode) {
        String digits = Integer.toOctalString(mode);
        return "0".repeat(Math.max(0, 4 - digits.length())) + digits;
    }

    /** User names by uid from {@code /etc/passwd}; a uid not there is shown as its number. */
    private static Map<Integer, String> users() {
        Map<Integer, String> users = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[2].matches("\\d{1,10}")) {
                    users.putIfAbsent((int) Long.parseLong(f[2]), f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no names then: uids as numbers
        }
        return users;
    }
}
