package dev.spillway.core.stream.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.config.StreamsConfig;
import dev.spillway.core.stream.JobStreamWriter;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.core.stream.StreamEntry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Job streams as Redis Streams: {@code XADD} with a {@code MAXLEN} cap and a TTL renewed with every write, entries
 * {@code a} (attempt), {@code k} (kind), {@code d} (data). Followers share one reader per process: one thread and one
 * connection that {@code XREAD}s every followed stream at once, blocking, so a thousand waiting clients cost one
 * connection rather than a thousand; a new follower wakes the reader with {@code CLIENT UNBLOCK}.
 */
@ApplicationScoped
public class RedisJobStreams implements JobStreams {

    private static final Logger LOG = Logger.getLogger(RedisJobStreams.class);
    private static final long RECONNECT_BACKOFF_MILLIS = 500;
    private static final String START = "0-0";

    private final Redis redis;
    private final StreamsConfig config;
    /** Followers by stream key. */
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final Object changed = new Object();
    private Thread reader;
    private volatile boolean closed;
    private volatile RedisConnection connection;
    private volatile String readerClientId;
    private volatile boolean blocked;
    /** Counts new followers, so a reader about to block notices one that came after it looked. */
    private final AtomicLong generation = new AtomicLong();

    public RedisJobStreams(RedisDataSource redis, StreamsConfig config) {
        this.redis = redis.getReactive().getRedis().getDelegate();
        this.config = config;
    }

    @Override
    public JobStreamWriter writer(String jobId, int attempt) {
        return new RedisStreamWriter(redis, key(jobId), attempt, config.maxEntries(),
                Math.max(1, config.ttl().toSeconds()));
    }

    @Override
    public Follow follow(String jobId, String afterEntryId, Consumer<List<StreamEntry>> onEntries) {
        String key = key(jobId);
        Follower follower = new Follower(key, afterEntryId == null ? START : afterEntryId, onEntries);
        followers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(follower);
        generation.incrementAndGet();
        startReader();
        synchronized (changed) {
            changed.notifyAll();
        }
        wakeReader();
        return follower;
    }

    private String key(String jobId) {
        return config.keyPrefix() + jobId;
    }

    private synchronized void startReader() {
        if (reader == null && !closed) {
            reader = new Thread(this::read, "spillway-stream-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** A reader blocked in XREAD would see a new stream only after its block: unblock it to ask again at once. */
    private void wakeReader() {
        String id = readerClientId;
        if (blocked && id != null) {
            redis.send(Request.cmd(Command.CLIENT).arg("UNBLOCK").arg(id)).onFailure(
                    e -> LOG.debugf("could not wake the stream reader: %s", e.toString()));
        }
    }

    private void read() {
        while (!closed) {
            try {
                long seen = generation.get();
                Map<String, String> positions = positions();
                if (positions.isEmpty()) {
                    synchronized (changed) {
                        if (positions().isEmpty() && !closed) {
                            changed.wait();
                        }
                    }
                    continue;
                }
                RedisConnection current = connected();
                Request xread = Request.cmd(Command.XREAD).arg("COUNT").arg(config.maxEntries())
                        .arg("BLOCK").arg(Math.max(1, config.readBlock().toMillis())).arg("STREAMS");
                positions.keySet().forEach(xread::arg);
                positions.values().forEach(xread::arg);
                blocked = true;
                if (generation.get() != seen) {
                    blocked = false;
                    continue;
                }
                Response reply;
                try {
                    reply = current.send(xread).toCompletionStage().toCompletableFuture()
                            .get(config.readBlock().toMillis() + 10_000, TimeUnit.MILLISECONDS);
                } finally {
                    blocked = false;
                }
                deliver(reply);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.debugf("stream reader: %s; reconnecting", e.toString());
                dropConnection();
                try {
                    Thread.sleep(RECONNECT_BACKOFF_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Where to read each followed stream from: its least advanced follower's position. */
    private Map<String, String> positions() {
        Map<String, String> positions = new HashMap<>();
        followers.forEach((key, set) -> set.stream().map(Follower::position).reduce(RedisJobStreams::earlier)
                .ifPresent(position -> positions.put(key, position)));
        return positions;
    }

    private RedisConnection connected() throws Exception {
        RedisConnection current = connection;
        if (current != null) {
            return current;
        }
        current = redis.connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        current.exceptionHandler(e -> dropConnection());
        Response id = current.send(Request.cmd(Command.CLIENT).arg("ID")).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        readerClientId = id.toString();
        connection = current;
        return current;
    }

    private void dropConnection() {
        RedisConnection current = connection;
        connection = null;
        readerClientId = null;
        if (current != null) {
            current.close();
        }
    }

    private void deliver(Response reply) {
        if (reply == null) {
            return; // blocked until the timeout, or woken for a new follower
        }
        Map<String, List<StreamEntry>> byKey = new HashMap<>();
        if (reply.type() == ResponseType.MULTI && isMap(reply)) {
            for (String key : reply.getKeys()) {
                byKey.put(key, entries(reply.get(key)));
            }
        } else {
            for (Response stream : reply) {
                byKey.put(stream.get(0).toString(), entries(stream.get(1)));
            }
        }
        byKey.forEach((key, entries) -> {
            Set<Follower> set = followers.get(key);
            if (set != null && !entries.isEmpty()) {
                set.forEach(follower -> follower.offer(entries));
            }
        });
    }

    private static boolean isMap(Response reply) {
        try {
            return !reply.getKeys().isEmpty();
        } catch (RuntimeException notAMap) {
            return false;
        }
    }

    private static List<StreamEntry> entries(Response entries) {
        List<StreamEntry> read = new ArrayList<>();
        if (entries == null) {
            return read;
        }
        for (Response entry : entries) {
            String id = entry.get(0).toString();
            Map<String, String> fields = new HashMap<>();
            Response values = entry.get(1);
            for (int i = 0; values != null && i + 1 < values.size(); i += 2) {
                fields.put(values.get(i).toString(), values.get(i + 1).toString());
            }
            StreamEntry.Kind.fromWire(fields.get("k")).ifPresent(kind -> read.add(new StreamEntry(id,
                    parseAttempt(fields.get("a")), kind, fields.getOrDefault("d", ""))));
        }
        return read;
    }

    private static int parseAttempt(String attempt) {
        try {
            return Integer.parseInt(attempt);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Orders Redis stream ids ({@code <ms>-<seq>}). */
    static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byMillis = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byMillis != 0 ? byMillis
                : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }

    private static String earlier(String a, String b) {
        return compare(a, b) <= 0 ? a : b;
    }

    @PreDestroy
    void close() {
        closed = true;
        synchronized (changed) {
            changed.notifyAll();
        }
        Thread current = reader;
        if (current != null) {
            current.interrupt();
        }
        dropConnection();
    }

    /** One follower: its own position, advanced as entries reach it. */
    private final class Follower implements Follow {

        private final String key;
        private final Consumer<List<StreamEntry>> onEntries;
        private volatile String position;

        Follower(String key, String position, Consumer<List<StreamEntry>> onEntries) {
            this.key = key;
            this.position = position;
            this.onEntries = onEntries;
        }

        String position() {
            return position;
        }

        void offer(List<StreamEntry> entries) {
            List<StreamEntry> fresh = entries.stream().filter(entry -> compare(entry.id(), position) > 0).toList();
            if (fresh.isEmpty()) {
                return;
            }
            position = fresh.get(fresh.size() - 1).id();
            try {
                onEntries.accept(fresh);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a stream follower of %s failed", key);
            }
        }

        @Override
        public void close() {
            followers.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
