package dev.spillway.core.eta.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.eta.DrainReport;
import dev.spillway.core.eta.DrainReports;
import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/**
 * One Redis hash per fleet, {@code spillway:drain:<fleet>}, one field per worker. A worker writes its field every few
 * seconds and renews the hash's expiry, so a fleet whose workers all stopped leaves nothing behind; the intake reads a
 * fleet with one {@code HGETALL}.
 */
@ApplicationScoped
public class RedisDrainReports implements DrainReports {

    private static final Logger LOG = Logger.getLogger(RedisDrainReports.class);

    private final HashCommands<String, String, String> hashes;
    private final KeyCommands<String> keys;

    public RedisDrainReports(RedisDataSource redis) {
        this.hashes = redis.hash(String.class);
        this.keys = redis.key(String.class);
    }

    static String key(String fleet) {
        return "spillway:drain:" + fleet;
    }

    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public void publish(String fleet, DrainReport report, Duration keep) {
        hashes.hset(key(fleet), report.worker(), report.encode());
        keys.expire(key(fleet), Math.max(1, keep.toSeconds()));
    }

    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public void withdraw(String fleet, String worker) {
        hashes.hdel(key(fleet), worker);
    }

    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public List<DrainReport> read(String fleet) {
        Map<String, String> fields = hashes.hgetall(key(fleet));
        List<DrainReport> reports = new ArrayList<>(fields.size());
        fields.forEach((worker, encoded) -> {
            try {
                reports.add(DrainReport.decode(worker, encoded));
            } catch (IllegalArgumentException e) {
                LOG.debugf("ignoring an unreadable drain report of %s: %s", worker, e.getMessage());
            }
        });
        return reports;
    }
}
