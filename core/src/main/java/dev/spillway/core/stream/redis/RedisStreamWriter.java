package dev.spillway.core.stream.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;

import dev.spillway.core.stream.JobStreamWriter;
import dev.spillway.core.stream.StreamEntry;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * One attempt's entries, sent in order: while a pipeline of entries is in flight, new ones queue and leave together in
 * the next, so a fast engine costs a few round trips rather than one per token, and the engine never waits.
 */
final class RedisStreamWriter implements JobStreamWriter {

    private static final Logger LOG = Logger.getLogger(RedisStreamWriter.class);

    private final Redis redis;
    private final String key;
    private final int attempt;
    private final int maxEntries;
    private final long ttlSeconds;
    private final List<Request> queued = new ArrayList<>();
    private final List<CompletableFuture<Void>> flushes = new ArrayList<>();
    private int entries;
    private boolean wroteChunks;
    private boolean sending;
    private boolean ended;
    private boolean broken;

    RedisStreamWriter(Redis redis, String key, int attempt, int maxEntries, long ttlSeconds) {
        this.redis = redis;
        this.key = key;
        this.attempt = attempt;
        this.maxEntries = maxEntries;
        this.ttlSeconds = ttlSeconds;
    }

    @Override
    public void chunk(String json) {
        synchronized (this) {
            if (ended) {
                return;
            }
            wroteChunks = true;
            if (entries + 1 >= maxEntries) {
                // Never let MAXLEN trim what a reader may still need: end the attempt's stream honestly instead.
                ended = true;
                queue(StreamEntry.Kind.ERROR, "{\"error\":{\"message\":\"The answer is longer than a live stream "
                        + "holds; read the whole answer from the job.\",\"type\":\"server_error\",\"param\":null,"
                        + "\"code\":\"stream_too_long\"}}");
            } else {
                queue(StreamEntry.Kind.CHUNK, json);
            }
        }
        sendIfIdle();
    }

    @Override
    public synchronized boolean wroteChunks() {
        return wroteChunks;
    }

    @Override
    public CompletableFuture<Void> end(StreamEntry.Kind kind, String data) {
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        synchronized (this) {
            if (!ended) {
                ended = true;
                queue(kind, data);
            }
            if (!sending && queued.isEmpty()) {
                flushed.complete(null);
                return flushed;
            }
            flushes.add(flushed);
        }
        sendIfIdle();
        return flushed;
    }

    private void queue(StreamEntry.Kind kind, String data) {
        if (broken) {
            return;
        }
        entries++;
        queued.add(Request.cmd(Command.XADD).arg(key).arg("MAXLEN").arg(maxEntries).arg("*")
                .arg("a").arg(attempt).arg("k").arg(kind.wire()).arg("d").arg(data == null ? "" : data));
    }

    private void sendIfIdle() {
        List<Request> batch;
        synchronized (this) {
            if (sending || queued.isEmpty()) {
                return;
            }
            sending = true;
            batch = new ArrayList<>(queued);
            queued.clear();
        }
        batch.add(Request.cmd(Command.EXPIRE).arg(key).arg(ttlSeconds));
        redis.batch(batch).onComplete(sent -> {
            List<CompletableFuture<Void>> done = List.of();
            synchronized (this) {
                sending = false;
                if (sent.failed()) {
                    LOG.debugf("live stream %s broken off: %s", key, sent.cause().toString());
                    broken = true;
                    queued.clear();
                }
                if (queued.isEmpty()) {
                    done = new ArrayList<>(flushes);
                    flushes.clear();
                }
            }
            done.forEach(f -> f.complete(null));
            sendIfIdle();
        });
    }
}
