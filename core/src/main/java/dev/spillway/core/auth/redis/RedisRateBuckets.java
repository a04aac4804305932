package dev.spillway.core.auth.redis;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.faulttolerance.api.ApplyGuard;

/** Token buckets (requests, tokens) refilled continuously over a minute, updated atomically by one Lua script. */
@ApplicationScoped
public class RedisRateBuckets {

    /** Returns 0 when both buckets had room (and takes from them), else the milliseconds until they would. */
    private static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local rpm, tpm, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local function level(key, cap)
              local v = redis.call('HMGET', key, 'l', 'ts')
              local l = tonumber(v[1]) or cap
              local ts = tonumber(v[2]) or now
              return math.min(cap, l + math.max(0, now - ts) * cap / 60000)
            end
            local wait, r, k = 0, 0, 0
            if rpm > 0 then
              r = level(KEYS[1], rpm)
              if r < 1 then wait = math.max(wait, math.ceil((1 - r) * 60000 / rpm)) end
            end
            if tpm > 0 then
              cost = math.min(cost, tpm)
              k = level(KEYS[2], tpm)
              if k < cost then wait = math.max(wait, math.ceil((cost - k) * 60000 / tpm)) end
            end
            if wait > 0 then return wait end
            if rpm > 0 then
              redis.call('HSET', KEYS[1], 'l', tostring(r - 1), 'ts', now)
              redis.call('PEXPIRE', KEYS[1], 120000)
            end
            if tpm > 0 then
              redis.call('HSET', KEYS[2], 'l', tostring(k - cost), 'ts', now)
              redis.call('PEXPIRE', KEYS[2], 120000)
            end
            return 0
            """;

    private final RedisDataSource redis;

    public RedisRateBuckets(RedisDataSource redis) {
        this.redis = redis;
    }

    @ApplyGuard(DownstreamGuards.REDIS)
    public long take(List<String> keys, int rpm, int tpm, int cost) {
        List<String> args = new ArrayList<>();
        args.add(SCRIPT);
        args.add(Integer.toString(keys.size()));
        args.addAll(keys);
        args.add(Integer.toString(rpm));
        args.add(Integer.toString(tpm));
        args.add(Integer.toString(cost));
        return redis.execute("EVAL", args.toArray(String[]::new)).toLong();
    }
}
