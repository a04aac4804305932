package dev.spillway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The pinned dynalite of the DynamoDB conformance suite ({@code local/dynamo/src/test/dynalite}), installed there
 * with {@code npm ci} unless node_modules already came from this very lock file. The marker is the suite's own, so
 * the suite and the bench install it once between them.
 */
final class DynaliteInstall {

    static final String FOLDER = "local/dynamo/src/test/dynalite";
    private static final String MARKER = "node_modules/.spillway-installed-lock-sha256";

    private DynaliteInstall() {
    }

    /** @return the folder whose node_modules holds dynalite */
    static Path ensureInstalled(Path repoDir) throws IOException, InterruptedException {
        Path folder = repoDir.resolve(FOLDER);
        String lockHash = sha256(Files.readAllBytes(folder.resolve("package-lock.json")));
        Path marker = folder.resolve(MARKER);
        if (Files.exists(folder.resolve("node_modules/dynalite/cli.js")) && Files.exists(marker)
                && Files.readString(marker).strip().equals(lockHash)) {
            return folder;
        }
        Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(folder.toFile())
                .redirectErrorStream(true).start();
        String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!install.waitFor(5, TimeUnit.MINUTES) || install.exitValue() != 0) {
            install.destroyForcibly();
            throw new IllegalStateException("npm ci in " + folder + " failed (dynalite needs node and npm):\n"
                    + output);
        }
        Files.writeString(marker, lockHash);
        return folder;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
