package dev.spillway.local.events;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.webhook.JobChangeNotifier;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The notifier Lambda's event source, locally: reads the jobs table's stream on the DynamoDB emulator (DescribeStream →
 * shards → GetShardIterator → GetRecords) and hands each page, in order, to {@link JobChangeNotifier}. A record that
 * failed for a reason that may pass is kept, with the ones after it, and handed over again on the next poll, as
 * Lambda retries a shard from the reported sequence number. GetRecords cannot wait for records, so an empty poll is
 * followed by a pause that grows while the stream stays quiet ({@link PollingLoop}).
 */
@ApplicationScoped
public class JobStreamPoller {

    private static final Logger LOG = Logger.getLogger(JobStreamPoller.class);

    private final JobChangeNotifier notifier;
    private final LocalEventsConfig config;
    private final DynamoDbClient dynamo;
    private final String table;
    private final Optional<String> endpoint;
    private final String region;
    /** Per open shard: the iterator to read next and the records still to hand over. */
    private final Map<String, ShardCursor> cursors = new LinkedHashMap<>();
    private final Set<String> finishedShards = new HashSet<>();
    private DynamoDbStreamsClient streams;
    private String jobsStream;
    private PollingLoop loop;

    private static final class ShardCursor {
        String iterator;
        List<Record> pending = List.of();
        /** The last record handed over that needs no retry; where a fresh iterator resumes. */
        String lastSequence;
    }

    @Inject
    public JobStreamPoller(JobChangeNotifier notifier, LocalEventsConfig config, DynamoDbClient dynamo,
            JobsConfig jobs, @ConfigProperty(name = "quarkus.dynamodb.endpoint-override") Optional<String> endpoint,
            @ConfigProperty(name = "quarkus.dynamodb.aws.region", defaultValue = "us-east-1") String region) {
        this(notifier, config, dynamo, jobs.table(), endpoint, region);
    }

    JobStreamPoller(JobChangeNotifier notifier, LocalEventsConfig config, DynamoDbClient dynamo, String table,
            Optional<String> endpoint, String region) {
        this.notifier = notifier;
        this.config = config;
        this.dynamo = dynamo;
        this.table = table;
        this.endpoint = endpoint;
        this.region = region;
    }

    void start(@Observes StartupEvent started) {
        if (!config.streamPoller()) {
            return;
        }
        if (endpoint.isEmpty()) {
            LOG.info("stream poller off: it reads the local DynamoDB emulator only (quarkus.dynamodb.endpoint-override)");
            return;
        }
        streams = DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(endpoint.get())).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        loop = PollingLoop.start("job-stream-poller", config.pollInterval(), config.maxPollInterval(), this::poll);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (loop != null) {
            loop.close();
            streams.close();
        }
    }

    /** The table's stream is looked up until found; a table without one is polled for it at the idle pace. */
    private int poll() {
        if (jobsStream == null) {
            jobsStream = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
            if (jobsStream == null) {
                LOG.debugf("stream poller: table %s has no stream", table);
                return 0;
            }
            LOG.infof("stream poller reading %s", jobsStream);
        }
        return pollOnce(streams, jobsStream);
    }

    /** @return how many records were handed over */
    int pollOnce(DynamoDbStreamsClient streams, String arn) {
        String streamArn = arn;
        for (Shard shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
            if (!finishedShards.contains(shard.shardId())) {
                cursors.computeIfAbsent(shard.shardId(), id -> new ShardCursor());
            }
        }
        int handed = 0;
        for (var entry : new ArrayList<>(cursors.entrySet())) {
            ShardCursor cursor = entry.getValue();
            List<Record> batch = new ArrayList<>(cursor.pending);
            if (batch.isEmpty()) {
                if (cursor.iterator == null && !finishedShards.contains(entry.getKey())) {
                    cursor.iterator = iterator(streams, streamArn, entry.getKey(), cursor.lastSequence);
                }
                String iterator = cursor.iterator;
                try {
                    GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(iterator).limit(100));
                    batch.addAll(page.records());
                    cursor.iterator = page.nextShardIterator();
                    if (cursor.iterator == null && batch.isEmpty()) {
                        cursors.remove(entry.getKey()); // a closed shard, read to its end
                        finishedShards.add(entry.getKey());
                        continue;
                    }
                } catch (TrimmedDataAccessException | ExpiredIteratorException stale) {
                    // An iterator pointing at records trimmed meanwhile is stale, and any iterator expires after 15
                    // minutes: take a fresh one next time, after the last record handled.
                    LOG.debugf("stream poller: fresh iterator for shard %s (%s)", entry.getKey(),
                            stale.getClass().getSimpleName());
                    cursor.iterator = null;
                    continue;
                }
            }
            if (batch.isEmpty()) {
                continue;
            }
            handed += batch.size();
            Optional<String> failed = notifier.process(batch.stream().map(r -> new JobChangeNotifier.Change(
                    r.dynamodb().sequenceNumber(), r.dynamodb().hasOldImage() ? r.dynamodb().oldImage() : null,
                    r.dynamodb().hasNewImage() ? r.dynamodb().newImage() : null)).toList());
            cursor.pending = failed.map(sequence -> from(batch, sequence)).orElse(List.of());
            int done = batch.size() - cursor.pending.size();
            if (done > 0) {
                cursor.lastSequence = batch.get(done - 1).dynamodb().sequenceNumber();
            }
        }
        return handed;
    }

    private static String iterator(DynamoDbStreamsClient streams, String arn, String shardId, String after) {
        return streams.getShardIterator(b -> {
            b.streamArn(arn).shardId(shardId);
            if (after == null) {
                b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            } else {
                b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(after);
            }
        }).shardIterator();
    }

    private static List<Record> from(List<Record> batch, String sequence) {
        for (int i = 0; i < batch.size(); i++) {
            if (sequence.equals(batch.get(i).dynamodb().sequenceNumber())) {
                return List.copyOf(batch.subList(i, batch.size()));
            }
        }
        return List.of();
    }
}
