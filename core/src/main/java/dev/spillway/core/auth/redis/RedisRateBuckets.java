package dev.spillway.core.auth.redis;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.vertx.mutiny.redis.client.Response;

/**
 * Token buckets (requests, tokens) refilled continuously over a minute, leased from atomically by one Lua script on
 * Redis' own clock, so every intake instance shares them.
 */
@ApplicationScoped
public class RedisRateBuckets {

    /**
     * Puts back what the caller returns, then takes the block it asks for when both buckets hold it, else exactly what
     * its request needs; answers {granted requests, granted tokens, 0}, or {0, 0, milliseconds until the need fits}.
     */
    private static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
            local backR, backT = tonumber(ARGV[3]), tonumber(ARGV[4])
            local takeR, takeT = tonumber(ARGV[5]), tonumber(ARGV[6])
            local needR, needT = tonumber(ARGV[7]), tonumber(ARGV[8])
            local function level(key, cap, back)
              local v = redis.call('HMGET', key, 'l', 'ts')
              local l = tonumber(v[1]) or cap
              local ts = tonumber(v[2]) or now
              return math.min(cap, l + math.max(0, now - ts) * cap / 60000 + back)
            end
            local r, k = 0, 0
            if rpm > 0 then r = level(KEYS[1], rpm, backR) end
            if tpm > 0 then k = level(KEYS[2], tpm, backT) end
            if (rpm > 0 and r < takeR) or (tpm > 0 and k < takeT) then
              takeR, takeT = needR, needT
            end
            local wait = 0
            if rpm > 0 and r < takeR then wait = math.max(wait, math.ceil((takeR - r) * 60000 / rpm)) end
            if tpm > 0 and k < takeT then wait = math.max(wait, math.ceil((takeT - k) * 60000 / tpm)) end
            if wait > 0 then
              takeR, takeT = 0, 0
            end
            if rpm > 0 then
              redis.call('HSET', KEYS[1], 'l', tostring(r - takeR), 'ts', now)
              redis.call('PEXPIRE', KEYS[1], 120000)
            end
            if tpm > 0 then
              redis.call('HSET', KEYS[2], 'l', tostring(k - takeT), 'ts', now)
              redis.call('PEXPIRE', KEYS[2], 120000)
            end
            return {takeR, takeT, wait}
            """;

    /** What a lease call granted: requests and tokens to spend, or how long until the need would fit. */
    public record Grant(long requests, long tokens, long waitMillis) {
    }

    /** Amounts of the two buckets: requests and tokens. */
    public record Amounts(long requests, long tokens) {
    }

    private final RedisDataSource redis;

    public RedisRateBuckets(RedisDataSource redis) {
        this.redis = redis;
    }

    /**
     * @param keys     the requests bucket and the tokens bucket
     * @param returned what is left of the caller's previous lease, put back first
     * @param block    what the caller would like to lease
     * @param need     what its request needs, taken instead when the block does not fit
     */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Grant lease(List<String> keys, int rpm, int tpm, Amounts returned, Amounts block, Amounts need) {
        List<String> args = new ArrayList<>();
        args.add(SCRIPT);
        args.add(Integer.toString(keys.size()));
        args.addAll(keys);
        for (long value : new long[] {rpm, tpm, returned.requests(), returned.tokens(), block.requests(),
                block.tokens(), need.requests(), need.tokens()}) {
            args.add(Long.toString(value));
        }
        Response granted = redis.execute("EVAL", args.toArray(String[]::new));
        return new Grant(granted.get(0).toLong(), granted.get(1).toLong(), granted.get(2).toLong());
    }
}
