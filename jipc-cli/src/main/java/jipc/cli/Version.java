package jipc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code jipc --version} prints: jipc's version and the git commit it was built from (both written into
 * {@code jipc/cli/build-info.properties} by the build; see {@code jipc-cli/src/build/build-info.sh}), and the Java
 * runtime and kernel it runs on.
 */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties build = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("build-info.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // Not built by Maven (an IDE's class output): fall through to the development build line.
        }
        String version = build.getProperty("version", Version.class.getPackage().getImplementationVersion());
        String commit = build.getProperty("commit", "unknown");
        return new String[] {
            "jipc " + (version == null ? "(development build)" : version + " (commit " + commit + ")"),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")",
            System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        };
    }
}
