package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * A request waiting for its job holds no thread: the packaged stack, given a worker pool of a few threads, holds
 * many more waiting requests than it has threads, all admitted at once, and answers each when its job finishes.
 */
class WaitingIT {

    private static final String DEV_KEY = "waiting-it-key";
    private static final int WORKER_THREADS = 4;
    private static final int WAITING = 60;
    private static final Pattern SPILLED = Pattern.compile(
            "(?m)^spillway_requests_total\\{cache=\"bypass\",lane=\"spill\"\\} ([0-9.E]+)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ScriptedUpstream upstream;
    private static PackagedStack stack;

    @BeforeAll
    static void startTheStack() throws Exception {
        // Jobs of model "held" go to an upstream that answers only when the test lets it.
        upstream = new ScriptedUpstream();
        stack = PackagedStack.start(Files.createTempDirectory(Path.of("target"), "waiting-it-data"),
                Files.createTempDirectory(Path.of("target"), "waiting-it-files"), DEV_KEY,
                Path.of("target", "waiting-it.log"),
                "quarkus.thread-pool.max-threads=" + WORKER_THREADS,
                "spillway.models.held.engine=openai",
                "spillway.models.held.base-url=" + upstream.baseUrl(),
                "spillway.local.worker.spillway.models.held.engine=openai",
                "spillway.local.worker.spillway.models.held.base-url=" + upstream.baseUrl());
    }

    @AfterAll
    static void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void manyMoreWaitingRequestsThanWorkerThreads_areAllAdmittedAtOnce_andEachAnsweredWhenItsJobFinishes()
            throws Exception {
        // GIVEN as many requests as there are threads fifteen times over, each waiting for its own job, whose
        // upstream holds every call
        double spilledBefore = spilled();
        List<CompletableFuture<HttpResponse<String>>> waiting = IntStream.range(0, WAITING)
                .mapToObj(i -> HTTP.sendAsync(chat("hold waiting request " + i), HttpResponse.BodyHandlers.ofString()))
                .toList();

        // WHEN they have all been admitted (a job each), THEN none has been answered: every one is waiting, and
        // a waiting request holding a thread would have left the others queued for one, never admitted
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> spilled() - spilledBefore >= WAITING);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        // AND once the upstream answers, every one of them gets its own completion
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            upstream.releaseHeld();
            return waiting.stream().allMatch(CompletableFuture::isDone);
        });
        for (int i = 0; i < WAITING; i++) {
            HttpResponse<String> response = waiting.get(i).join();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("hold waiting request " + i + "\"");
        }
    }

    private static HttpRequest chat(String content) {
        String body = "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        return HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(150))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .header("Prefer", "wait=120")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Requests the intake admitted as jobs of their own, from its Prometheus scrape. */
    private static double spilled() throws Exception {
        Matcher count = SPILLED.matcher(stack.get("/q/metrics").body());
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }
}
