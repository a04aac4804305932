package dev.spillway.local.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.Usage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.core.job.dynamo.DynamoJobStore;
import dev.spillway.core.webhook.CallbackUrls;
import dev.spillway.core.webhook.JobChangeNotifier;
import dev.spillway.core.webhook.WebhookNotifier;
import dev.spillway.core.webhook.WebhooksConfig;
import dev.spillway.local.emulators.LocalCloud;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The local stack's stream poller on the DynamoDB emulator: a finished job's webhook arrives once, however often it polls. */
class JobStreamPollerTest {

    private static LocalCloud cloud;
    private static HttpServer receiver;
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 5, false, false, "poller", 0, 0, 0));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.add(new String(in.readAllBytes()));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        cloud.close();
    }

    @Test
    void finishedJob_isPostedOnce_acrossRepeatedPolls_evenWhenPollingBeganOnAnEmptyStream() throws Exception {
        DynamoJobStore store = new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(),
                Duration.ofDays(1), new ObjectMapper());
        JobChangeNotifier notifier = new JobChangeNotifier(new WebhookNotifier(store, webhooks(),
                new CallbackUrls(true, true, java.net.InetAddress::getAllByName), new ObjectMapper(),
                Clock.systemUTC()));
        JobStreamPoller poller = new JobStreamPoller(notifier, events(), cloud.dynamo(), cloud.jobsTable(),
                Optional.empty(), LocalCloud.REGION);
        String arn = cloud.dynamo().describeTable(b -> b.tableName(cloud.jobsTable())).table().latestStreamArn();
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(cloud.dynamoServer().endpoint())).region(Region.of(LocalCloud.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            // The stack starts polling before any job exists: its first iterators are taken on an empty shard.
            assertThat(poller.pollOnce(streams, arn)).isZero();
            String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            Instant now = Instant.now();
            Job job = Job.queued(JobIds.next(), "acme", Tier.STANDARD, new ChatCompletionRequest("m",
                    List.of(new ChatMessage("user", "hi", null)), null, null, null, null, null, null), null, now,
                    now.plusSeconds(60)).withCallbackUrl(callback);
            store.create(job);
            store.claim(job.id(), "w", now, now.plusSeconds(60)).orElseThrow();
            store.succeed(job.id(), "w", ChatCompletion.of("c", now.getEpochSecond(), "m", "ok", "stop",
                    Usage.of(1, 1)), now);

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                poller.pollOnce(streams, arn);
                WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
                return delivery != null && delivery.state() == WebhookDelivery.State.DELIVERED;
            });
            for (int i = 0; i < 3; i++) {
                poller.pollOnce(streams, arn);
            }
            assertThat(received).singleElement().satisfies(body -> assertThat(body).contains(job.id()));
        }
    }

    private static LocalEventsConfig events() {
        return new LocalEventsConfig() {
            public boolean ingestPoller() {
                return false;
            }

            public boolean streamPoller() {
                return true;
            }

            public Duration ingestWait() {
                return Duration.ofSeconds(1);
            }

            public Duration pollInterval() {
                return Duration.ofMillis(100);
            }

            public Duration maxPollInterval() {
                return Duration.ofMillis(100);
            }
        };
    }

    private static WebhooksConfig webhooks() {
        return new WebhooksConfig() {
            public boolean allowHttp() {
                return true;
            }

            public boolean allowPrivateAddresses() {
                return true;
            }

            public Optional<String> signingSecret() {
                return Optional.of("poller-test-secret");
            }

            public Optional<String> signingSecretArn() {
                return Optional.empty();
            }

            public Duration signingSecretCacheTtl() {
                return Duration.ofMinutes(5);
            }

            public int maxAttempts() {
                return 3;
            }

            public Duration firstRetryDelay() {
                return Duration.ofMillis(50);
            }

            public Duration maxRetryDelay() {
                return Duration.ofMillis(100);
            }

            public Duration connectTimeout() {
                return Duration.ofSeconds(2);
            }

            public Duration responseTimeout() {
                return Duration.ofSeconds(5);
            }
        };
    }
}
