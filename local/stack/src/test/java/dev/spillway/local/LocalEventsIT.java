package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.spillway.local.emulators.Ports;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The event sources in the packaged local stack: a job submitted over HTTP with a callback, and one put on the
 * ingest queue, are both run by the worker and POSTed to a receiver on this machine by the stream poller; a batch
 * file dropped into the local S3 server's folder runs and gets its output files beside it.
 */
class LocalEventsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEV_KEY = "local-events-it-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private static final List<String> signatures = new CopyOnWriteArrayList<>();
    private static Process stack;
    private static HttpServer receiver;
    private static String base;
    private static final Path LOG = Path.of("target", "local-events-it.log");
    private static final Path FILES = Path.of("target", "local-events-it-files").toAbsolutePath();

    @BeforeAll
    static void startTheStackAndAReceiver() throws IOException {
        deleteRecursively(FILES); // output files of an earlier run would satisfy the wait at once
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.add(JSON.readTree(in.readAllBytes()));
            }
            signatures.add(exchange.getRequestHeaders().getFirst("Spillway-Signature"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        int port = Ports.free();
        base = "http://127.0.0.1:" + port;
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspillway.local.worker-jar=" + System.getProperty("spillway.local.worker-jar"), "-jar",
                System.getProperty("spillway.local.app-jar"))
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().put("SPILLWAY_PORT", Integer.toString(port));
        builder.environment().put("SPILLWAY_DEV_KEY", DEV_KEY);
        // a fresh data folder: the default one (.spillway/data) would carry queued messages from run to run
        builder.environment().put("SPILLWAY_DATA_DIR",
                java.nio.file.Files.createTempDirectory(Path.of("target"), "local-events-it-data").toString());
        builder.environment().put("SPILLWAY_FILES_DIR", FILES.toString());
        builder.environment().remove("SPILLWAY_GGUF");
        builder.environment().remove("SPILLWAY_UPSTREAM_BASE_URL");
        stack = builder.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET()).statusCode() == 200);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (stack != null && stack.isAlive()) {
            stack.destroy();
            if (!stack.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                stack.descendants().forEach(ProcessHandle::destroyForcibly);
                stack.destroyForcibly();
            }
        }
        receiver.stop(0);
    }

    @Test
    void jobWithCallback_isPostedWhenTheWorkerFinishesIt() throws Exception {
        String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/http-job";
        HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                .header("Content-Type", "application/json").header("Spillway-Callback-Url", callback)
                .POST(HttpRequest.BodyPublishers.ofString(chat("over http"))));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).path("id").asText();

        await().atMost(Duration.ofSeconds(120)).until(() -> received.stream().anyMatch(v -> id.equals(v.path("id").asText())));

        JsonNode view = received.stream().filter(v -> id.equals(v.path("id").asText())).findFirst().orElseThrow();
        assertThat(view.path("status").asText()).isEqualTo("succeeded");
        assertThat(signatures).allMatch(s -> s != null && s.matches("t=\\d+,v1=[0-9a-f]{64}"));
        // The receiver records the POST before it answers, so the job records the delivery only after: wait for the
        // webhook's final state (delivered, failed or refused), then check which it is.
        JsonNode webhook = await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(
                send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id)).GET()).body()).path("webhook"),
                state -> !List.of("pending", "delivering").contains(state.path("status").asText()));
        assertThat(webhook.path("status").asText()).isEqualTo("delivered");
        assertThat(webhook.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void messageOnTheIngestQueue_becomesAJobAndItsWebhookArrives() throws Exception {
        Matcher sqs = Pattern.compile("SQS \\(ElasticMQ\\) (http://[0-9.]+:[0-9]+)").matcher(Files.readString(LOG));
        assertThat(sqs.find()).as("the stack logs its SQS endpoint").isTrue();
        String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/queued";
        try (SqsClient client = SqsClient.builder().endpointOverride(URI.create(sqs.group(1)))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build()) {
            String url = client.getQueueUrl(b -> b.queueName("spillway-ingest")).queueUrl();
            client.sendMessage(b -> b.queueUrl(url).messageBody("{\"api_key\":\"" + DEV_KEY + "\",\"request\":"
                    + chat("over the queue") + ",\"callback_url\":\"" + callback + "\"}"));
        }

        await().atMost(Duration.ofSeconds(120)).until(() -> received.stream()
                .anyMatch(v -> "succeeded".equals(v.path("status").asText())
                        && callback.equals(v.path("webhook").path("url").asText())));
    }

    @Test
    void batchFileDroppedIntoTheFolder_runsAndItsOutputFilesAppearBesideIt() throws Exception {
        Path dir = Files.createDirectories(FILES.resolve("spillway-files/batches/dev"));
        String good = "{\"custom_id\":\"%s\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":%s}";
        Files.writeString(dir.resolve("dropped.jsonl"), String.format(good, "first", chat("one")) + "\n"
                + "{not json\n" + String.format(good, "second", chat("two")) + "\n");

        Path output = dir.resolve("dropped.output.jsonl");
        Path errors = dir.resolve("dropped.errors.jsonl");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Files.exists(output) && Files.exists(errors));

        List<JsonNode> answers = lines(output);
        assertThat(answers).extracting(line -> line.path("custom_id").asText())
                .containsExactlyInAnyOrder("first", "second");
        assertThat(answers).allSatisfy(line -> assertThat(line.path("response").path("status_code").asInt())
                .isEqualTo(200));
        assertThat(lines(errors)).singleElement()
                .satisfies(line -> assertThat(line.path("error").path("line").asLong()).isEqualTo(2));
        JsonNode batches = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/v1/batches")).GET()).body());
        assertThat(batches.path("data")).anySatisfy(batch -> {
            assertThat(batch.path("status").asText()).isEqualTo("completed");
            assertThat(batch.path("output_file_id").asText()).endsWith("batches/dev/dropped.output.jsonl");
        });
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> parsed = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                parsed.add(JSON.readTree(line));
            }
        }
        return parsed;
    }

    private static String chat(String content) {
        return "{\"model\":\"spillway-tiny\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + DEV_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
