package dev.spillway.local.emulators;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * The {@code redis-server} 6.2 binary that the embedded-redis jar carries for linux-amd64, written out once to the
 * temporary folder (a subfolder named by its hash, so every start and every JVM reuses the same file).
 */
final class BundledRedisBinary {

    private static final Logger LOG = Logger.getLogger(BundledRedisBinary.class);
    /** Path of the binary inside com.github.codemonstur:embedded-redis:1.4.3. */
    private static final String RESOURCE = "/redis-server-6.2.6-v5-linux-amd64";
    private static Path extracted;

    private BundledRedisBinary() {
    }

    /** The executable binary, or empty on a platform it is not built for. */
    static synchronized Optional<Path> extract() {
        if (extracted != null && Files.isExecutable(extracted)) {
            return Optional.of(extracted);
        }
        if (!runsHere(System.getProperty("os.name", ""), System.getProperty("os.arch", ""))) {
            return Optional.empty();
        }
        byte[] binary = read();
        if (binary == null) {
            return Optional.empty();
        }
        Path folder = Path.of(System.getProperty("java.io.tmpdir"), "spillway-redis-" + sha256(binary).substring(0, 16));
        Path target = folder.resolve("redis-server");
        try {
            if (!(Files.isExecutable(target) && Files.size(target) == binary.length)) {
                writeAtomically(folder, target, binary);
                LOG.debugf("extracted the bundled redis-server to %s", target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bundled redis-server to " + target, e);
        }
        extracted = target;
        return Optional.of(target);
    }

    static boolean runsHere(String osName, String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return osName.toLowerCase(Locale.ROOT).startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private static byte[] read() {
        try (InputStream in = BundledRedisBinary.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Another JVM may extract at the same moment: each writes its own file and renames it into place. */
    private static void writeAtomically(Path folder, Path target, byte[] binary) throws IOException {
        Files.createDirectories(folder);
        Path temporary = Files.createTempFile(folder, "redis-server", ".part");
        try {
            Files.write(temporary, binary);
            if (!temporary.toFile().setExecutable(true, false)) {
                throw new IOException("cannot make " + temporary + " executable");
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
