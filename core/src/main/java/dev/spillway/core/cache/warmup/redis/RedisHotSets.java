package dev.spillway.core.cache.warmup.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.capacity.hotset.CountMinSketch;
import dev.spillway.core.Sha256;
import dev.spillway.core.cache.warmup.HotPrompt;
import dev.spillway.core.cache.warmup.HotSets;
import dev.spillway.core.cache.warmup.WarmUpConfig;
import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.vertx.mutiny.redis.client.Response;

/**
 * Each tenant's hot set in Redis, shared by every intake instance: a Count-Min sketch (one hash, a field per row and
 * column, plus {@code n}, the total), the top {@code k} cache keys by estimate (a sorted set) and their request
 * bodies (a hash, for the top k only). Counts are hashed as {@link CountMinSketch} hashes them, so its bound holds.
 * A tenant's keys share one hash tag (the SHA-256 of its name, so no name can reach another's keys) and expire
 * together after {@code idle-ttl} without a request. Also the tenants' registry and the warm-up budget spent per
 * clock hour.
 */
@ApplicationScoped
public class RedisHotSets implements HotSets {

    /**
     * One request: adds 1 to its counter in every row, takes the smallest as its estimate, and keeps it in the top k
     * when there is room or it passes the smallest candidate (whose body then goes). Atomic, so concurrent intakes
     * never lose a count nor leave a body without its candidate.
     * KEYS: sketch, top, bodies. ARGV: cache key, ttl seconds, k, body, then one field per row.
     */
    private static final String RECORD = """
            local estimate = nil
            for i = 5, #ARGV do
              local count = redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
              if not estimate or count < estimate then estimate = count end
            end
            redis.call('HINCRBY', KEYS[1], 'n', 1)
            local k = tonumber(ARGV[3])
            if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
              redis.call('ZADD', KEYS[2], estimate, ARGV[1])
            elseif redis.call('ZCARD', KEYS[2]) < k then
              redis.call('ZADD', KEYS[2], estimate, ARGV[1])
              redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
            else
              local smallest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
              if estimate > tonumber(smallest[2]) then
                redis.call('ZREM', KEYS[2], smallest[1])
                redis.call('HDEL', KEYS[3], smallest[1])
                redis.call('ZADD', KEYS[2], estimate, ARGV[1])
                redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
              end
            end
            for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
            return estimate
            """;

    /** The top k, most requested first, as a flat list of key, estimate (RESP2 from a script, whatever the client). */
    private static final String TOP = "return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')";

    /**
     * Halves every count once per period: the marker makes a second tick in the same period (or two at once) do
     * nothing. KEYS: sketch, top, marker. ARGV: marker ttl seconds.
     */
    private static final String DECAY = """
            if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then
              return 0
            end
            local counts = redis.call('HGETALL', KEYS[1])
            for i = 1, #counts, 2 do
              local halved = math.floor(tonumber(counts[i + 1]) / 2)
              if halved == 0 then
                redis.call('HDEL', KEYS[1], counts[i])
              else
                redis.call('HSET', KEYS[1], counts[i], halved)
              end
            end
            local top = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
            for i = 1, #top, 2 do
              redis.call('ZADD', KEYS[2], math.floor(tonumber(top[i + 1]) / 2), top[i])
            end
            return 1
            """;

    /**
     * Spends one job of the hour's budget if any is left. Atomic, so ticks running at once never spend more than the
     * budget between them. KEYS: the hour's counter. ARGV: budget, ttl seconds.
     */
    private static final String SPEND = """
            local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
            if spent >= tonumber(ARGV[1]) then
              return 0
            end
            redis.call('INCR', KEYS[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1
            """;

    private final RedisDataSource redis;
    private final WarmUpConfig config;
    /** Only its shape and hashing are used; the counts live in Redis. */
    private final CountMinSketch shape;

    @Inject
    public RedisHotSets(RedisDataSource redis, WarmUpConfig config) {
        this.redis = redis;
        this.config = config;
        this.shape = CountMinSketch.withError(config.epsilon(), config.delta());
    }

    /** Width and depth of every tenant's sketch. */
    public CountMinSketch shape() {
        return shape;
    }

    /** Counts one request of {@code tenant} for {@code cacheKey}; returns its estimate now. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public long record(String tenant, String cacheKey, String body, Instant now) {
        String tag = tag(tenant);
        List<String> args = new ArrayList<>(List.of("EVAL", RECORD, "3", tag + "cms", tag + "top", tag + "bodies",
                cacheKey, Long.toString(Math.max(1, config.idleTtl().toSeconds())), Integer.toString(config.topK()),
                body));
        args.addAll(fields(cacheKey));
        long estimate = redis.execute(args.get(0), args.subList(1, args.size()).toArray(String[]::new)).toLong();
        redis.execute("ZADD", registry(), Long.toString(now.getEpochSecond()), tenant);
        redis.execute("EXPIRE", registry(), Long.toString(Math.max(1, config.idleTtl().toSeconds())));
        return estimate;
    }

    /** The sketch's estimate of the tenant's requests for {@code cacheKey}: never below the true count. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public long estimate(String tenant, String cacheKey) {
        Map<String, String> counts = redis.hash(String.class).hmget(tag(tenant) + "cms",
                fields(cacheKey).toArray(String[]::new));
        long estimate = Long.MAX_VALUE;
        for (String field : fields(cacheKey)) {
            String count = counts.get(field);
            estimate = Math.min(estimate, count == null ? 0 : Long.parseLong(count));
        }
        return estimate;
    }

    /** N: the tenant's recorded requests (since the last decays). */
    @ApplyGuard(DownstreamGuards.REDIS)
    public long total(String tenant) {
        Response total = redis.execute("HGET", tag(tenant) + "cms", "n");
        return total == null ? 0 : total.toLong();
    }

    /** The tenant's candidates, most requested first. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public List<HotPrompt> top(String tenant) {
        Response flat = redis.execute("EVAL", TOP, "1", tag(tenant) + "top");
        List<HotPrompt> top = new ArrayList<>();
        for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
            top.add(new HotPrompt(flat.get(i).toString(), (long) Double.parseDouble(flat.get(i + 1).toString())));
        }
        return top;
    }

    /** The request body kept for a top-k candidate. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> body(String tenant, String cacheKey) {
        return Optional.ofNullable(redis.execute("HGET", tag(tenant) + "bodies", cacheKey)).map(Response::toString);
    }

    /** Tenants with a request recorded since {@code activeSince}; those idle longer are dropped from the registry. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public List<String> tenants(Instant activeSince) {
        redis.execute("ZREMRANGEBYSCORE", registry(), "-inf", "(" + activeSince.getEpochSecond());
        Response members = redis.execute("ZRANGE", registry(), "0", "-1");
        List<String> tenants = new ArrayList<>();
        if (members != null) {
            members.forEach(member -> tenants.add(member.toString()));
        }
        return tenants;
    }

    /** Drops everything recorded for the tenant (it no longer opts in). */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public void forget(String tenant) {
        String tag = tag(tenant);
        redis.execute("DEL", tag + "cms", tag + "top", tag + "bodies");
        redis.execute("ZREM", registry(), tenant);
    }

    /** Halves the tenant's counts unless already done in {@code period}; returns whether this call did. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public boolean decay(String tenant, long period, long periodSeconds) {
        String tag = tag(tenant);
        return redis.execute("EVAL", DECAY, "3", tag + "cms", tag + "top", tag + "decayed:" + period,
                Long.toString(Math.max(1, periodSeconds * 2))).toLong() == 1;
    }

    /** Spends one warm-up job of the tenant's budget for {@code hour}; false when the budget is spent. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public boolean spend(String tenant, long hour, int jobsPerHour) {
        return redis.execute("EVAL", SPEND, "1", tag(tenant) + "spent:" + hour, Integer.toString(jobsPerHour),
                "7200").toLong() == 1;
    }

    /** Gives back a job spent for a warm-up that was not admitted. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public void refund(String tenant, long hour) {
        redis.execute("DECR", tag(tenant) + "spent:" + hour);
    }

    /** Warm-up jobs spent in {@code hour}. */
    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public int spent(String tenant, long hour) {
        Response spent = redis.execute("GET", tag(tenant) + "spent:" + hour);
        return spent == null ? 0 : spent.toInteger();
    }

    /** Sketch fields of a cache key: {@code row:column} in each row. */
    private List<String> fields(String cacheKey) {
        long key = Long.parseUnsignedLong(cacheKey.substring(0, 16), 16);
        List<String> fields = new ArrayList<>(shape.depth());
        for (int row = 0; row < shape.depth(); row++) {
            fields.add(row + ":" + shape.column(key, row));
        }
        return fields;
    }

    private String tag(String tenant) {
        return config.keyPrefix() + "{" + Sha256.hex(tenant).substring(0, 32) + "}:";
    }

    private String registry() {
        return config.keyPrefix() + "tenants";
    }
}
