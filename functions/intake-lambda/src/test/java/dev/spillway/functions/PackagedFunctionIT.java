package dev.spillway.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.Ports;

/**
 * The packaged function as Lambda starts it behind the AWS Lambda Web Adapter, short of the adapter itself (a prebuilt
 * binary that cannot be fetched on this machine): {@code function.zip} unpacked as Lambda unpacks it into the task
 * root, its handler {@code run.sh} started as the adapter's exec wrapper starts it ({@code exec
 * $LAMBDA_TASK_ROOT/$_HANDLER}, with the runtime's {@code java} on the PATH), configured only through environment
 * variables as the CDK app configures it. This test plays the adapter's part: it polls the readiness path, then sends
 * the requests the adapter would forward. Streaming through the adapter is not verified here.
 */
class PackagedFunctionIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalCloud cloud;
    private static Process function;
    private static Path zip;
    private static String base;

    @BeforeAll
    static void startTheFunctionAsTheAdapterWould() throws IOException {
        zip = Path.of(System.getProperty("spillway.function.zip", "target/function.zip"));
        cloud = LocalCloud.start(LocalCloud.Options.forTests());
        Path taskRoot = unpack(zip, Files.createTempDirectory(Path.of("target"), "lambda-task-root").toAbsolutePath());

        // AWS_LWA_PORT is 8080 in Lambda; here any free port, so parallel builds do not collide
        int port = Ports.free();
        base = "http://127.0.0.1:" + port;
        ProcessBuilder builder = new ProcessBuilder(taskRoot.resolve("run.sh").toString())
                .directory(taskRoot.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "packaged-function-it.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("_HANDLER", "run.sh");
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.putAll(environmentVariables(cloud.config()));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // the model, as the CDK names it (map keys with dashes cannot be environment variables)
        env.put("SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "test-model");
        env.put("SPILLWAY_MODELS_DEFAULT_ENGINE", "openai");
        function = builder.start();

        // the adapter's readiness check: any answer below 500 on the readiness path
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    assertThat(function.isAlive()).as("run.sh is still running (see target/packaged-function-it.log)")
                            .isTrue();
                    return get("/", Optional.empty()).statusCode() < 500;
                });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (function != null) {
            function.destroy();
            function.waitFor();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void functionZip_holdsTheHandlerScriptAtItsRoot_executable_besideTheQuarkusApp() throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            assertThat(file.getEntry("run.sh")).isNotNull();
            assertThat(file.getEntry("quarkus-app/quarkus-run.jar")).isNotNull();
            assertThat(file.getEntry("bootstrap")).as("a JVM package: the CDK detects native ones by it").isNull();
        }
        assertThat(unixModes(zip).get("run.sh") & 0111).as("run.sh is executable once Lambda unpacks it").isNotZero();
    }

    @Test
    void aRequestForwardedAsTheAdapterDoes_reachesTheTablesTheEnvironmentNames() throws Exception {
        // an unknown key is looked up in the API-keys table: 401 proves the packaged app reached the emulator
        HttpResponse<String> unknownKey = post("/v1/chat/completions", ApiKeys.generate(),
                "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(unknownKey.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(unknownKey.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void theApp_listensOnLoopbackOnly_forTheAdapterInTheSameSandbox() throws Exception {
        Optional<InetAddress> outward = NetworkInterface.networkInterfaces()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (IOException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                .findFirst();
        assumeThat(outward).as("a non-loopback address on this machine").isPresent();
        int port = URI.create(base).getPort();

        try (Socket socket = new Socket()) {
            assertThat(connects(socket, new InetSocketAddress(outward.get(), port))).isFalse();
        }
        assertThat(get("/", Optional.empty()).statusCode()).isLessThan(500);
    }

    private static boolean connects(final Socket socket, final InetSocketAddress address) throws IOException {
        try {
            socket.connect(address, 2_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private static HttpResponse<String> get(final String path, final Optional<String> key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(final String path, final String key, final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Configuration keys as the environment variables the CDK sets ({@code a.b-c} becomes {@code A_B_C}). */
    private static Map<String, String> environmentVariables(final Map<String, String> config) {
        Map<String, String> env = new LinkedHashMap<>();
        config.forEach((key, value) -> env.put(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT), value));
        return env;
    }

    /** Unpacks like Lambda: every entry under the task root, with the Unix modes the zip carries. */
    private static Path unpack(final Path zipFile, final Path root) throws IOException {
        Map<String, Integer> modes = unixModes(zipFile);
        try (ZipFile file = new ZipFile(zipFile.toFile())) {
            for (ZipEntry entry : Collections.list(file.entries())) {
                Path target = root.resolve(entry.getName()).normalize();
                assertThat(target.startsWith(root)).as("%s stays inside the task root", entry.getName()).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                if ((modes.getOrDefault(entry.getName(), 0) & 0100) != 0) {
                    assertThat(target.toFile().setExecutable(true)).isTrue();
                }
            }
        }
        return root;
    }

    /**
     * Each entry's Unix mode from the zip's central directory (the upper half of its external attributes), which
     * {@link ZipFile} does not expose. No zip64: the function's zip is far below 4 GB and 65,535 entries.
     */
    private static Map<String, Integer> unixModes(final Path zipFile) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(zipFile)).order(ByteOrder.LITTLE_ENDIAN);
        int end = bytes.limit() - 22;
        while (end >= 0 && bytes.getInt(end) != 0x06054b50) {
            end--;
        }
        assertThat(end).as("end of central directory record").isNotNegative();
        int entries = Short.toUnsignedInt(bytes.getShort(end + 10));
        int at = bytes.getInt(end + 16);
        Map<String, Integer> modes = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            assertThat(bytes.getInt(at)).as("central directory header").isEqualTo(0x02014b50);
            int nameLength = Short.toUnsignedInt(bytes.getShort(at + 28));
            int extraLength = Short.toUnsignedInt(bytes.getShort(at + 30));
            int commentLength = Short.toUnsignedInt(bytes.getShort(at + 32));
            int external = bytes.getInt(at + 38);
            String name = new String(bytes.array(), at + 46, nameLength, StandardCharsets.UTF_8);
            modes.put(name, external >>> 16);
            at += 46 + nameLength + extraLength + commentLength;
        }
        return modes;
    }
}
