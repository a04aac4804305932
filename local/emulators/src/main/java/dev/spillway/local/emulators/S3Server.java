package dev.spillway.local.emulators;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * An S3-compatible server (s3proxy) on a loopback port, in its own JVM: its Jetty and logging would clash with
 * Quarkus's on one class path. Objects live in memory, or in a folder when one is given, so
 * files dropped into {@code <folder>/<bucket>/<key>} are objects too.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "local";
    public static final String SECRET_KEY = "local";
    private static final String CLASSPATH_RESOURCE = "s3proxy.classpath";

    private final int port;
    private final Path folder;
    private Process process;
    private Path logFile;

    /** @param folder where objects are kept, or null to keep them in memory */
    public S3Server(int port, Path folder) {
        this.port = port;
        this.folder = folder;
    }

    public synchronized S3Server start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Path properties = Files.createTempFile("spillway-s3proxy-", ".properties");
            properties.toFile().deleteOnExit();
            Properties config = new Properties();
            config.setProperty("s3proxy.endpoint", endpoint());
            config.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            config.setProperty("s3proxy.identity", ACCESS_KEY);
            config.setProperty("s3proxy.credential", SECRET_KEY);
            config.setProperty("jclouds.identity", ACCESS_KEY);
            config.setProperty("jclouds.credential", SECRET_KEY);
            if (folder == null) {
                config.setProperty("jclouds.provider", "transient-nio2");
            } else {
                Files.createDirectories(folder);
                // Not filesystem-nio2: it fails every listing once a file without its extended attributes (one
                // dropped into the folder by hand) is there.
                config.setProperty("jclouds.provider", "filesystem");
                config.setProperty("jclouds.filesystem.basedir", folder.toAbsolutePath().toString());
            }
            try (var out = Files.newOutputStream(properties)) {
                config.store(out, "Spillway local S3");
            }
            logFile = Files.createTempFile("spillway-s3proxy-", ".log");
            logFile.toFile().deleteOnExit();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath(), "org.gaul.s3proxy.Main", "--properties", properties.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy", e);
        }
        ChildProcesses.awaitPort(process, port, Duration.ofSeconds(60),
                () -> "s3proxy did not come up on port " + port + ": " + log());
        return this;
    }

    /** s3proxy's class path, written at build time by the dependency plugin (its provided scope). */
    private static String classpath() {
        try (InputStream in = S3Server.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build spillway-local-emulators");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String log() {
        try {
            return logFile == null ? "" : Files.readString(logFile);
        } catch (IOException e) {
            return e.toString();
        }
    }

    public synchronized void stop() {
        if (process != null) {
            ChildProcesses.stop(process);
            process = null;
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
