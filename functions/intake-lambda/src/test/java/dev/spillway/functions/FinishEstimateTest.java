package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.eta.DrainReport;
import dev.spillway.core.eta.DrainReports;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.queue.Fleets;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The intake estimates when a spilled job will finish and answers at once, without holding the request, when that is
 * past the caller's budget; the estimate comes back as {@code Retry-After} and {@code estimated_finish_at}.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@TestProfile(FinishEstimateTest.EstimatesOn.class)
class FinishEstimateTest {

    private static final Duration COLD_START = Duration.ofMinutes(10);

    public static class EstimatesOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.eta.enabled", "true", "spillway.eta.cold-start", COLD_START.toString(),
                    "spillway.eta.reading-ttl", "PT0S");
        }
    }

    @Inject
    JobStore store;
    @Inject
    RedisDataSource redis;
    @Inject
    DrainReports reports;
    @Inject
    ApiKeyStore keys;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void noWorkerRunsAndTheQueuesAreEmpty() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
        redis.key(String.class).del("spillway:drain:" + Fleets.SHARED);
    }

    @Test
    void aWaitingRequestWhoseJobCannotFinishInItsBudget_isAnswered202AtOnce_andItsJobStillRunsLater()
            throws Exception {
        // GIVEN the model's fleet is at zero: its first worker is a cold start (10 minutes) away
        Instant sent = Instant.now();

        // WHEN a client offers to wait 20 s
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=20")
                .body(chat("hopeless budget")).post("/v1/chat/completions");
        Duration answeredAfter = Duration.between(sent, Instant.now());

        // THEN it is answered 202 without waiting out its budget (a generous bound: the budget is 20 s)
        response.then().statusCode(202).body("status", equalTo("queued"));
        assertThat(answeredAfter).isLessThan(Duration.ofSeconds(10));
        // AND told when to look again: at the estimated finish, a cold start from now
        long estimate = response.jsonPath().getLong("estimated_finish_at");
        assertThat(estimate).isBetween(sent.plus(COLD_START).getEpochSecond(),
                sent.plus(COLD_START).plusSeconds(60).getEpochSecond());
        assertThat(Long.parseLong(response.header("Retry-After"))).isBetween(COLD_START.toSeconds() - 30,
                COLD_START.toSeconds() + 60);
        // AND the job is still queued, its message waiting for a worker
        String jobId = response.jsonPath().getString("id");
        Job queued = store.find(jobId).orElseThrow();
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.estimatedFinishAt().getEpochSecond()).isEqualTo(estimate);
        given().get("/v1/jobs/" + jobId).then().statusCode(200).body("estimated_finish_at", equalTo((int) estimate));
        Optional<Message> message = IntakeFixture.receive("interactive");
        assertThat(message).hasValueSatisfying(m -> assertThat(m.body()).contains(jobId));

        // WHEN a worker later runs it
        IntakeFixture.finish(store, redis, jobId, "late but done");

        // THEN the client finds it finished, with no estimate left
        given().get("/v1/jobs/" + jobId).then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("result.choices[0].message.content", equalTo("late but done"))
                .body("estimated_finish_at", nullValue());
    }

    @Test
    void aRunningFleetWithRoom_holdsTheWaitingRequest_untilItsAnswer() throws Exception {
        // GIVEN a live worker of the fleet with free slots, finishing jobs in 100 ms
        reports.publish(Fleets.SHARED, new DrainReport("worker-1", 4, 30, Duration.ofSeconds(60),
                Duration.ofMillis(100), Instant.now()), Duration.ofMinutes(1));
        CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
            try {
                Message message = await().atMost(Duration.ofSeconds(10))
                        .until(() -> IntakeFixture.receive("interactive"), Optional::isPresent).orElseThrow();
                String jobId = json.readTree(message.body()).get("job").asText();
                IntakeFixture.finish(store, redis, jobId, "in time");
                return jobId;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // WHEN a client offers to wait 20 s
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=20")
                .body(chat("a budget that fits")).post("/v1/chat/completions");

        // THEN it was held and got its completion
        response.then().statusCode(200).body("choices[0].message.content", equalTo("in time"));
        Job done = store.find(worker.get()).orElseThrow();
        // AND the estimate made as it was queued was one service time, not a cold start
        assertThat(Duration.between(done.created(), done.estimatedFinishAt())).isLessThan(Duration.ofSeconds(5));
    }
}
