package dev.spillway.local.emulators;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the {@link LocalCloud} for a {@code @QuarkusTest} and points the application at it. Init args:
 * {@code visibilityTimeout} (seconds), {@code maxReceiveCount}, {@code s3=true} for an S3 server with the files
 * bucket, {@code fleets=a,b} to give models {@code a} and {@code b} queues of their own ({@link LocalCloud#fleetConfig}),
 * and {@code faultyLinks=true} to reach SQS and
 * DynamoDB through {@link FaultyLink}s a test can cut ({@link #sqsLink()}, {@link #dynamoLink()}). Tests reach the
 * emulators through {@link #cloud()} to look behind the API (what was queued, what was stored) and to break things.
 */
public class SpillwayTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile LocalCloud current;
    private static volatile FaultyLink sqsLink;
    private static volatile FaultyLink dynamoLink;
    private boolean faultyLinks;
    private List<String> fleets = List.of();
    private LocalCloud.Options options = LocalCloud.Options.forTests();
    /** This resource's own cloud: with several resources (restricted to classes) each stops only its own. */
    private LocalCloud cloud;

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey("visibilityTimeout")) {
            options = options.withVisibilityTimeout(Duration.ofSeconds(Long.parseLong(initArgs.get("visibilityTimeout"))));
        }
        if (initArgs.containsKey("maxReceiveCount")) {
            options = options.withMaxReceiveCount(Integer.parseInt(initArgs.get("maxReceiveCount")));
        }
        if (Boolean.parseBoolean(initArgs.get("s3"))) {
            options = options.withS3(null);
        }
        faultyLinks = Boolean.parseBoolean(initArgs.get("faultyLinks"));
        if (initArgs.containsKey("fleets")) {
            fleets = List.of(initArgs.get("fleets").split(","));
        }
    }

    @Override
    public Map<String, String> start() {
        cloud = LocalCloud.start(options);
        current = cloud;
        Map<String, String> own = new LinkedHashMap<>(cloud.config());
        // Test configuration names models unquoted; a quoted and an unquoted key of one model do not mix.
        fleets.forEach(model -> cloud.fleetConfig(model.strip()).forEach((key, value) -> own.put(
                key.replace("spillway.models.\"" + model.strip() + "\".", "spillway.models." + model.strip() + "."),
                value)));
        if (!faultyLinks) {
            return own;
        }
        sqsLink = new FaultyLink(cloud.sqsServer().port());
        dynamoLink = new FaultyLink(cloud.dynamoServer().port());
        Map<String, String> config = new LinkedHashMap<>();
        String sqsDirect = cloud.sqsServer().endpoint();
        String sqsLinked = "http://127.0.0.1:" + sqsLink.port();
        own.forEach((key, value) -> config.put(key, value.replace(sqsDirect, sqsLinked)));
        config.put("quarkus.dynamodb.endpoint-override", "http://127.0.0.1:" + dynamoLink.port());
        return config;
    }

    @Override
    public void stop() {
        if (current == cloud) {
            current = null;
        }
        if (faultyLinks) {
            sqsLink.close();
            dynamoLink.close();
        }
        if (cloud != null) {
            cloud.close();
            cloud = null;
        }
    }

    /** The link the application reaches SQS through (init arg {@code faultyLinks=true}). */
    public static FaultyLink sqsLink() {
        return requireLink(sqsLink);
    }

    /** The link the application reaches DynamoDB through (init arg {@code faultyLinks=true}). */
    public static FaultyLink dynamoLink() {
        return requireLink(dynamoLink);
    }

    private static FaultyLink requireLink(FaultyLink link) {
        if (link == null) {
            throw new IllegalStateException("SpillwayTestResource was not started with faultyLinks=true");
        }
        return link;
    }

    /** The cloud of the application under test (the most recently started resource). */
    public static LocalCloud cloud() {
        LocalCloud started = current;
        if (started == null) {
            throw new IllegalStateException("SpillwayTestResource is not started");
        }
        return started;
    }
}
