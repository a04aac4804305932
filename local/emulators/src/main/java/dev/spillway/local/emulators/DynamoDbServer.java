package dev.spillway.local.emulators;

import java.nio.file.Path;
import java.time.Duration;

import dev.spillway.local.dynamo.DynamoEmulator;

/**
 * Spillway's own DynamoDB emulator (module {@code local/dynamo}) on a loopback port: in memory, or keeping its
 * tables in a data folder across restarts. Can be stopped (an outage) and started again on the same port.
 */
public final class DynamoDbServer implements AutoCloseable {

    /**
     * DynamoDB deletes expired items within days, not seconds; a sweep scans every table holding the write lock, so
     * one a minute keeps an idle stack with many finished jobs idle.
     */
    private static final Duration TTL_SWEEP_INTERVAL = Duration.ofMinutes(1);

    private final int port;
    private final Path dataFolder;
    private DynamoEmulator emulator;

    /** @param dataFolder where the tables are kept, or null for memory (lost when stopped) */
    public DynamoDbServer(int port, Path dataFolder) {
        this.port = port;
        this.dataFolder = dataFolder;
    }

    public synchronized DynamoDbServer start() {
        if (emulator == null) {
            emulator = DynamoEmulator.builder().host("127.0.0.1").port(port).region(LocalCloud.REGION)
                    .dataDirectory(dataFolder).ttlSweepInterval(TTL_SWEEP_INTERVAL).build().start();
        }
        return this;
    }

    public synchronized void stop() {
        if (emulator != null) {
            emulator.close();
            emulator = null;
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
