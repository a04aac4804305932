package dev.spillway.local.dynamo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.journal.Journal;
import dev.spillway.local.dynamo.journal.JournalWriter;
import dev.spillway.local.dynamo.journal.ReplayTarget;
import dev.spillway.local.dynamo.journal.TableState;
import dev.spillway.local.dynamo.server.DynamoHttpServer;
import dev.spillway.local.dynamo.stream.StreamStore;
import dev.spillway.local.dynamo.table.Database;
import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * A DynamoDB-compatible server in this JVM: the database, its Streams, TTL deletion in the background and, with a
 * data directory, a journal that keeps tables and items across restarts. Clients reach it with the unchanged AWS
 * SDK through {@link #endpoint()}.
 *
 * <pre>
 * try (DynamoEmulator dynamo = DynamoEmulator.builder().port(0).build().start()) {
 *     DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynamo.endpoint())...
 * }
 * </pre>
 */
public final class DynamoEmulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DynamoEmulator.class);
    /** How many expired items one database call deletes, so a big sweep does not hold the write lock long. */
    private static final int SWEEP_BATCH = 500;

    private final Builder settings;
    private Database database;
    private StreamStore streams;
    private JournalWriter journal;
    private DynamoHttpServer server;
    private ScheduledExecutorService sweeper;
    private boolean closed;

    private DynamoEmulator(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Restores the data directory's journal (if any), then listens and starts the TTL sweeper.
     *
     * @throws UncheckedIOException when the journal cannot be read or written, or the port cannot be bound
     */
    public DynamoEmulator start() {
        try {
            database = new Database(settings.clock, settings.region);
            List<TableState> tables = settings.dataDirectory == null ? List.of() : restoreJournal();
            streams = new StreamStore(settings.clock, settings.region, settings.streamRetention);
            // Restored tables keep their stream ARNs; their records start afresh (Streams are not persisted).
            tables.forEach(table -> streams.tableCreated(table.description().path("TableName").asText(),
                    table.description()));
            if (journal != null) {
                database.addListener(journal); // first: a change is durable before a stream reader can see it
            }
            database.addListener(streams);
            server = new DynamoHttpServer(settings.host, settings.port, database, streams);
            server.start();
            sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "dynamo-ttl-sweeper");
                thread.setDaemon(true);
                return thread;
            });
            long interval = settings.ttlSweepInterval.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepInBackground, interval, interval, TimeUnit.MILLISECONDS);
            LOG.infof("DynamoDB emulator listening on %s%s", endpoint(),
                    settings.dataDirectory == null ? " (in memory)" : " (data in " + settings.dataDirectory + ")");
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    /** Where clients connect: {@code http://<host>:<port>}, loopback when bound to every interface. */
    public URI endpoint() {
        String host = settings.host.equals("0.0.0.0") || settings.host.equals("::") ? "127.0.0.1" : settings.host;
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    /** Deletes every item whose TTL has passed by the clock, now rather than at the next sweep (for tests). */
    public int sweepExpiredNow() {
        int total = 0;
        int deleted;
        do {
            deleted = database.deleteExpired(settings.clock.instant(), SWEEP_BATCH);
            total += deleted;
        } while (deleted == SWEEP_BATCH);
        return total;
    }

    /** The database behind the server, for embedding code and tests that bypass HTTP. */
    public Database database() {
        return database;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (server != null) {
            server.stop();
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.warnf("closing the journal: %s", e);
            }
        }
    }

    private List<TableState> restoreJournal() throws IOException {
        List<TableState>[] restored = new List[1];
        journal = Journal.open(settings.dataDirectory, new DatabaseReplay(database), () -> {
            restored[0] = database.snapshot().stream().map(table -> new TableState(table.description(),
                    table.timeToLiveAttribute(), table.items())).toList();
            return restored[0];
        }, settings.fsync);
        return restored[0];
    }

    private void sweepInBackground() {
        try {
            sweepExpiredNow();
        } catch (RuntimeException e) { // keep sweeping: one bad pass must not end the schedule
            LOG.warnf("TTL sweep failed: %s", e);
        }
    }

    /** Replays journal entries through the database's restore operations. */
    private record DatabaseReplay(Database database) implements ReplayTarget {

        @Override
        public void createTable(ObjectNode description) {
            database.restoreTable(description);
        }

        @Override
        public void updateTable(ObjectNode description) {
            database.restoreTableUpdate(description);
        }

        @Override
        public void timeToLive(String table, String attributeOrNull) {
            database.restoreTimeToLive(table, attributeOrNull);
        }

        @Override
        public void put(String table, Map<String, AttributeValue> item) {
            database.restoreItem(table, item);
        }

        @Override
        public void delete(String table, Map<String, AttributeValue> key) {
            database.removeItem(table, key);
        }

        @Override
        public void deleteTable(String table) {
            database.dropTable(table);
        }
    }

    /** Settings of an emulator; every one has a default fit for tests. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Path dataDirectory;
        private Clock clock = Clock.systemUTC();
        private String region = "us-east-1";
        private Duration ttlSweepInterval = Duration.ofSeconds(1);
        private Duration streamRetention = Duration.ofHours(24);
        private boolean fsync;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 (the default) takes any free port; {@link DynamoEmulator#port()} tells which. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Where the journal lives; null (the default) keeps everything in memory. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The region in table and stream ARNs and in stream records. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder ttlSweepInterval(Duration ttlSweepInterval) {
            this.ttlSweepInterval = ttlSweepInterval;
            return this;
        }

        public Builder streamRetention(Duration streamRetention) {
            this.streamRetention = streamRetention;
            return this;
        }

        /** Forces each journal line to disk: survives power loss too, at the cost of a disk flush per write. */
        public Builder fsync(boolean fsync) {
            this.fsync = fsync;
            return this;
        }

        public DynamoEmulator build() {
            if (ttlSweepInterval.isNegative() || ttlSweepInterval.isZero()) {
                throw new IllegalArgumentException("ttlSweepInterval must be positive");
            }
            return new DynamoEmulator(this);
        }
    }
}
