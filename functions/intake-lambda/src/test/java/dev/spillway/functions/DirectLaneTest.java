package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.GrafanaDashboard;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Submission;
import dev.spillway.local.emulators.ScriptedUpstream;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The direct lane against real HTTP upstreams on loopback ({@link ScriptedUpstream}): answered at once when a target
 * has capacity, and spilled to the queue (never a "busy" error) when none has.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@QuarkusTestResource(value = DirectLaneUpstreams.class, restrictToAnnotatedClass = true)
class DirectLaneTest {

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]%s}";

    @Inject
    ApiKeyStore keys;
    @Inject
    IntakeService intake;


    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void create_whenTheFirstTargetHasCapacity_answersDirectlyAndQueuesNothing() {
        // GIVEN
        int jobsBefore = storedJobs();

        // WHEN
        Response response = post("direct-model", "hello direct", "");

        // THEN the upstream's answer, saying which lane and target served it
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Target", "primary")
                .header("X-Spillway-Job-Id", nullValue())
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("direct-model"))
                .body("choices[0].message.content", equalTo("echo: hello direct"));
        // AND no job was stored or queued
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
        assertThat(a().calls("hello direct")).isEqualTo(1);
    }

    @Test
    void create_whenTheTargetAnswers429WithRetryAfter_retriesNoSoonerThanItAsked() {
        // WHEN the upstream refuses the first call with 429 and Retry-After: 1
        Response response = post("direct-model", "ratelimit:1 then fine", "");

        // THEN the same target answered the retry
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Target", "primary");
        List<Instant> arrivals = a().arrivals("ratelimit:1 then fine");
        assertThat(arrivals).hasSize(2);
        // AND the retry arrived at least Retry-After after the refused call (as the upstream saw them)
        assertThat(Duration.between(arrivals.get(0), arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void create_whenTheFirstTargetIsOverloaded_theSecondTargetServes() {
        // WHEN upstream a answers 503 "server overloaded" every time
        Response response = post("direct-model", "fail:503@a overloaded", "");

        // THEN the second target answered, after the first was retried as configured (1 + 2 retries)
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Target", "secondary")
                .body("choices[0].message.content", equalTo("echo: fail:503@a overloaded"));
        assertThat(a().calls("fail:503@a overloaded")).isEqualTo(3);
        assertThat(b().calls("fail:503@a overloaded")).isEqualTo(1);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void create_whenRetryAfterOutlastsTheWaitBudget_movesOnAtOnceInsteadOfWaiting() {
        // WHEN upstream a asks for Retry-After: 60 and the client waits at most 10 seconds
        Response response = post("direct-model", "busy:60@a account at its limit", "", "wait=10");

        // THEN a was called once (a retry would have outlasted the budget) and b answered
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Target", "secondary");
        assertThat(a().calls("busy:60@a account at its limit")).isEqualTo(1);
    }

    @Test
    void create_whenTheFirstTargetRejectsTheRequest_doesNotRetryItThere() {
        // WHEN upstream a answers 400
        Response response = post("direct-model", "fail:400@a rejected by a", "");

        // THEN no retry at a, and the next target answered
        response.then().statusCode(200).header("X-Spillway-Target", "secondary");
        assertThat(a().calls("fail:400@a rejected by a")).isEqualTo(1);
    }

    @Test
    void create_whenTheTargetsBulkheadIsFull_spillsToTheQueue() {
        // GIVEN another intake request holds solo's only slot (through the service, as a request held in the same
        // intake while this one arrives)
        Caller caller = new Caller("default", Tier.INTERACTIVE, null);
        byte[] held = String.format(CHAT, "solo-model", "hold solo", "").getBytes();
        CompletableFuture<Submission> holder = CompletableFuture.supplyAsync(() -> intake.submit(
                new IntakeRequest(caller, held, CachePolicy.DEFAULT, Tier.INTERACTIVE, null, Duration.ofSeconds(30),
                        null, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> a().calls("hold solo") == 1);
        try {
            // WHEN
            Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=1")
                    .body(String.format(CHAT, "solo-model", "while solo is busy", "")).post("/v1/chat/completions");

            // THEN the request became a job instead of an error, and solo was never called for it
            response.then().statusCode(202)
                    .header("X-Spillway-Lane", "spill")
                    .body("status", equalTo("queued"));
            assertThat(queuedMessages()).isEqualTo(1);
            assertThat(a().calls("while solo is busy")).isZero();
        } finally {
            a().releaseHeld();
        }
        // AND the held request was answered directly once released
        Submission first = holder.join();
        assertThat(first.isDirect()).isTrue();
        assertThat(first.direct().target()).isEqualTo("solo");
    }

    @Test
    void create_whenTheBreakerIsOpen_spillsWithoutCallingTheUpstream() {
        // GIVEN two failed calls open fragile's breaker; each of those requests spilled
        for (String failing : List.of("fail:500 fragile one", "fail:500 fragile two")) {
            post("fragile-model", failing, "", "wait=2").then().statusCode(202).header("X-Spillway-Lane", "spill");
        }
        assertThat(a().calls("fail:500 fragile one") + a().calls("fail:500 fragile two")).isEqualTo(2);

        // WHEN
        Response response = post("fragile-model", "after the breaker opened", "", "wait=1");

        // THEN the request was queued and the upstream never saw it
        response.then().statusCode(202).header("X-Spillway-Lane", "spill");
        assertThat(a().calls("after the breaker opened")).isZero();
        assertThat(queuedMessages()).isEqualTo(3);
    }

    @Test
    void create_whenTheUpstreamHangs_timesOutAndSpills() {
        // WHEN the upstream takes longer than slow's one-second timeout
        Response response = post("slow-model", "sleep:4000 too slow", "", "wait=3");

        // THEN the request was queued instead
        response.then().statusCode(202)
                .header("X-Spillway-Lane", "spill")
                .body("status", equalTo("queued"));
        assertThat(a().calls("sleep:4000 too slow")).isEqualTo(1);
        assertThat(queuedMessages()).isEqualTo(1);
    }

    @Test
    void create_whenTheUpstreamSendsKeepAlivesBeforeTheBody_isAnswered() {
        // WHEN the upstream pads its answer with blank lines and ": keep-alive" comments, as busy DeepSeek does
        Response response = post("direct-model", "keepalive:6 busy upstream", "");

        // THEN
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .body("choices[0].message.content", equalTo("echo: keepalive:6 busy upstream"));
    }

    @Test
    void create_whenTheUpstreamClosesMidBody_retriesRatherThanFailing() {
        // WHEN the first answer is cut off after a third of its body
        Response response = post("direct-model", "cut:1 cut off", "");

        // THEN the retry answered
        response.then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Target", "primary")
                .body("choices[0].message.content", equalTo("echo: cut:1 cut off"));
        assertThat(a().calls("cut:1 cut off")).isEqualTo(2);
    }

    @Test
    void create_whenADirectAnswerIsCacheable_theSecondRequestIsServedFromTheCache() {
        // GIVEN a deterministic request answered directly
        post("direct-model", "cache this direct answer", ",\"temperature\":0").then().statusCode(200)
                .header("X-Spillway-Lane", "direct")
                .header("X-Spillway-Cache", "miss");

        // WHEN the same request comes again
        Response again = post("direct-model", "cache this direct answer", ",\"temperature\":0");

        // THEN the cache answered, and the upstream was called once in all
        again.then().statusCode(200)
                .header("X-Spillway-Lane", "cache")
                .header("X-Spillway-Cache", "hit-l1")
                .body("choices[0].message.content", equalTo("echo: cache this direct answer"));
        assertThat(a().calls("cache this direct answer")).isEqualTo(1);
    }

    @Test
    void metricsScrape_afterDirectAndRefusedRequests_exportsEveryIntakeSeriesTheDashboardQueries() {
        // GIVEN a request an upstream answered directly, and one refused for its body
        post("direct-model", "graph me", "").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"direct-model\"}").post("/v1/chat/completions")
                .then().statusCode(400);

        // WHEN Prometheus scrapes the intake
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();

        // THEN every intake series the Grafana dashboard graphs is in it
        assertThat(GrafanaDashboard.App.INTAKE.queried()).isNotEmpty();
        assertThat(GrafanaDashboard.exportedSeries(scrape)).containsAll(GrafanaDashboard.App.INTAKE.queried());
    }

    @Test
    void create_whenTheClientAsksForAsync_skipsTheDirectLane() {
        // WHEN
        Response response = given().contentType(ContentType.JSON).header("Prefer", "respond-async")
                .body(String.format(CHAT, "direct-model", "async please", "")).post("/v1/chat/completions");

        // THEN a job, and no upstream call
        response.then().statusCode(202).header("X-Spillway-Lane", "spill");
        assertThat(a().calls("async please") + b().calls("async please")).isZero();
        assertThat(queuedMessages()).isEqualTo(1);
    }

    private static ScriptedUpstream a() {
        return DirectLaneUpstreams.a();
    }

    private static ScriptedUpstream b() {
        return DirectLaneUpstreams.b();
    }

    private static Response post(String model, String content, String extraFields) {
        return given().contentType(ContentType.JSON).body(String.format(CHAT, model, content, extraFields))
                .post("/v1/chat/completions");
    }

    private static Response post(String model, String content, String extraFields, String prefer) {
        return given().contentType(ContentType.JSON).header("Prefer", prefer)
                .body(String.format(CHAT, model, content, extraFields)).post("/v1/chat/completions");
    }
}
