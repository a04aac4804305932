package dev.spillway.functions;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What the intake tests look at behind the API: the real queues and table, and a stand-in for the GPU worker
 * that finishes jobs through the same store and notice channel a worker uses.
 */
final class IntakeFixture {

    static final String CHAT = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]%s}";

    /** The key every intake test calls with, unless it is testing authentication itself. */
    static final String KEY = "sk-spillway-intake-tests-default-tenant-key-0000000";

    private IntakeFixture() {
    }

    /** Stores {@link #KEY} (tenant {@code default}, no limits) and sends it with every REST Assured call. */
    static void authenticate(ApiKeyStore keys) {
        keys.put(new ApiKey(ApiKeys.hash(KEY), "default", Tier.INTERACTIVE, Set.of(), 0, 0, Instant.now(), null));
        RestAssured.requestSpecification = new RequestSpecBuilder().addHeader("Authorization", "Bearer " + KEY).build();
    }

    /** A fresh key with the given grants, for tests of tenants, permissions and limits. */
    static String newKey(ApiKeyStore keys, String tenant, Set<String> models, int rpm, int tpm) {
        String key = ApiKeys.generate();
        keys.put(new ApiKey(ApiKeys.hash(key), tenant, Tier.INTERACTIVE, models, rpm, tpm, Instant.now(), null));
        return key;
    }

    static String chat(String content) {
        return String.format(CHAT, content, "");
    }

    static String deterministicChat(String content) {
        return String.format(CHAT, content, ",\"temperature\":0");
    }

    static LocalCloud cloud() {
        return SpillwayTestResource.cloud();
    }

    static int storedJobs() {
        LocalCloud cloud = cloud();
        return cloud.dynamo().scan(b -> b.tableName(cloud.jobsTable()).select("COUNT")).count();
    }

    /** Messages visible plus in flight across all tier queues. */
    static int queuedMessages() {
        LocalCloud cloud = cloud();
        int total = 0;
        for (String tier : List.of("interactive", "standard", "batch")) {
            Map<QueueAttributeName, String> attributes = cloud.sqs().getQueueAttributes(b -> b
                    .queueUrl(cloud.queueUrl(tier))
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            total += Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
            total += Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        }
        return total;
    }

    static void purgeQueues() {
        LocalCloud cloud = cloud();
        for (String tier : List.of("interactive", "standard", "batch")) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(tier)));
        }
    }

    /** Receives one message of a tier, as a worker would; empty if none arrives within a second. */
    static Optional<Message> receive(String tier) {
        LocalCloud cloud = cloud();
        return cloud.sqs().receiveMessage(b -> b.queueUrl(cloud.queueUrl(tier)).waitTimeSeconds(1).maxNumberOfMessages(1))
                .messages().stream().findFirst();
    }

    /**
     * Plays the GPU worker's part for one job, through the same table, Redis keys and notice channel a worker
     * process uses: claim, store the result, cache it, announce it.
     */
    static ChatCompletion finish(JobStore store, RedisDataSource redis, String jobId,
            String answer) throws Exception {
        return finish(store, redis, jobId, job -> ChatCompletion.of("chatcmpl-" + jobId, Instant.now().getEpochSecond(),
                job.model(), answer, "stop", Usage.of(3, 2)));
    }

    /** Like {@link #finish(JobStore, RedisDataSource, String, String)}, with the answer the engine gave for the job. */
    static ChatCompletion finish(JobStore store, RedisDataSource redis, String jobId,
            java.util.function.Function<Job, ChatCompletion> engine) throws Exception {
        Instant now = Instant.now();
        Job job = store.claim(jobId, "test-worker", now, now.plusSeconds(60)).orElseThrow();
        ChatCompletion completion = engine.apply(job);
        if (store.succeed(jobId, "test-worker", completion, now).isEmpty()) {
            throw new IllegalStateException("test worker lost job " + jobId);
        }
        if (job.cacheKey() != null) {
            redis.value(String.class).setex("spillway:cache:" + job.cacheKey(), 300, JSON.writeValueAsString(completion));
        }
        redis.pubsub(String.class).publish("spillway:jobs:finished", jobId);
        return completion;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
