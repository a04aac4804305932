package dev.spillway.functions.events.prescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.spillway.core.forecast.FleetFloor;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;

/**
 * The ECS adapter's requests as Application Auto Scaling receives them (an AWS-only API, so a local HTTP server
 * stands in for it): the JSON 1.1 target, the body, and a SigV4 signature.
 */
class EcsFleetFloorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE_ID = "service/spillway-gpu/spillway-workers";

    private record Received(String target, String authorization, JsonNode body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private ApplicationAutoScalingClient client;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        client = ApplicationAutoScalingClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        received.add(new Received(target, exchange.getRequestHeaders().getFirst("Authorization"), body));
        String answer = target.endsWith("DescribeScalableTargets")
                ? "{\"ScalableTargets\":[{\"ServiceNamespace\":\"ecs\",\"ResourceId\":\"" + RESOURCE_ID + "\","
                        + "\"ScalableDimension\":\"ecs:service:DesiredCount\",\"MinCapacity\":1,\"MaxCapacity\":6,"
                        + "\"RoleARN\":\"arn:aws:iam::123456789012:role/x\",\"CreationTime\":1.7E9}]}"
                : "{\"ScalableTargetARN\":\"arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target/x\"}";
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void setMinimum_registersTheServicesScalableTargetWithOnlyItsNewMinimum_signed() {
        // GIVEN the adapter for one fleet
        EcsFleetFloor floor = new EcsFleetFloor(Map.of("qwen", RESOURCE_ID), 1, client);

        // WHEN the fleet's minimum is raised to 4
        floor.setMinimum("qwen", 4);

        // THEN one RegisterScalableTarget call names the ECS service and the new minimum, and nothing else
        assertThat(received).hasSize(1);
        Received call = received.get(0);
        assertThat(call.target()).isEqualTo("AnyScaleFrontendService.RegisterScalableTarget");
        assertThat(call.body().path("ServiceNamespace").asText()).isEqualTo("ecs");
        assertThat(call.body().path("ResourceId").asText()).isEqualTo(RESOURCE_ID);
        assertThat(call.body().path("ScalableDimension").asText()).isEqualTo("ecs:service:DesiredCount");
        assertThat(call.body().path("MinCapacity").asInt()).isEqualTo(4);
        assertThat(call.body().has("MaxCapacity")).isFalse();
        assertThat(call.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/eu-west-1/application-autoscaling/aws4_request").contains("Signature=");
    }

    @Test
    void bounds_areTheDeployedMinimumAndTheTargetsOwnMaximum() {
        EcsFleetFloor floor = new EcsFleetFloor(Map.of("qwen", RESOURCE_ID), 1, client);

        Optional<FleetFloor.Bounds> bounds = floor.bounds("qwen");

        assertThat(bounds).contains(new FleetFloor.Bounds(1, 6));
        assertThat(received).singleElement().satisfies(call -> {
            assertThat(call.target()).isEqualTo("AnyScaleFrontendService.DescribeScalableTargets");
            assertThat(call.body().path("ResourceIds").get(0).asText()).isEqualTo(RESOURCE_ID);
            assertThat(call.body().path("ServiceNamespace").asText()).isEqualTo("ecs");
        });
    }

    @Test
    void aFleetWithoutAScalableTarget_isNotPrescaled_andNothingIsCalled() {
        EcsFleetFloor floor = new EcsFleetFloor(EcsFleetFloor.resourceIds(List.of("qwen=" + RESOURCE_ID)), 1, client);

        assertThat(floor.bounds("llama")).isEmpty();
        assertThatThrownBy(() -> floor.setMinimum("llama", 3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(received).isEmpty();
    }
}
