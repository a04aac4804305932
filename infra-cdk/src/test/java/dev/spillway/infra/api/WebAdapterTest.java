package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * What the CDK tells the adapter must match what functions/intake-lambda builds: the handler script in its zip and
 * the port its HTTP server takes in production. Read from the function's sources, so either side changing alone fails.
 */
class WebAdapterTest {

    private static final Path INTAKE = Path.of("../functions/intake-lambda");

    @Test
    void adapterPort_isWhereTheIntakeListensInProduction_onLoopback() throws IOException {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(INTAKE.resolve("src/main/resources/application.properties"))) {
            config.load(reader);
        }
        WebAdapter adapter = WebAdapter.streamingIntake(WebAdapter.LAYER_VERSION);

        assertThat(config.getProperty("%prod.quarkus.http.port")).isEqualTo(String.valueOf(adapter.port()));
        assertThat(config.getProperty("%prod.quarkus.http.host")).isEqualTo("127.0.0.1");
        assertThat(adapter.environment(false)).containsEntry("AWS_LWA_PORT", String.valueOf(adapter.port()));
    }

    @Test
    void jvmHandler_isTheScriptTheFunctionZipCarries_startingTheQuarkusApp() throws IOException {
        Path script = INTAKE.resolve("src/main/lambda").resolve(WebAdapter.JVM_HANDLER);
        String descriptor = Files.readString(INTAKE.resolve("src/assembly/function-jvm.xml"));

        assertThat(script).isRegularFile();
        assertThat(Files.readString(script)).contains("exec java").contains("quarkus-app/quarkus-run.jar");
        assertThat(descriptor).contains("src/main/lambda/" + WebAdapter.JVM_HANDLER).contains("<fileMode>0755</fileMode>");
    }

    @Test
    void environment_wrapsOnlyManagedRuntimes_andStreamsOnlyWhenAsked() {
        WebAdapter streaming = WebAdapter.streamingIntake(27);
        WebAdapter buffered = new WebAdapter(27, false, 8080, "/");

        assertThat(streaming.environment(false)).containsEntry("AWS_LAMBDA_EXEC_WRAPPER", "/opt/bootstrap")
                .containsEntry("AWS_LWA_INVOKE_MODE", "response_stream");
        assertThat(streaming.environment(true)).doesNotContainKey("AWS_LAMBDA_EXEC_WRAPPER");
        assertThat(buffered.environment(false)).containsEntry("AWS_LWA_INVOKE_MODE", "buffered");
    }
}
