package dev.spillway.local.dynamo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.spillway.local.dynamo.table.Database;

/** The wire protocol itself: what a client that is not the AWS SDK sees. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoHttpServerRawTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private DynamoHttpServer server;

    @BeforeAll
    void start() throws Exception {
        server = new DynamoHttpServer("127.0.0.1", 0, new Database(Clock.systemUTC(), "us-east-1"), null).start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String target, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (target != null) {
            request.header("X-Amz-Target", target);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void malformedJson_isASerializationException() throws Exception {
        HttpResponse<String> response = post("DynamoDB_20120810.ListTables", "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("com.amazonaws.dynamodb.v20120810#SerializationException");
    }

    @Test
    void wrongJsonType_isASerializationException() throws Exception {
        HttpResponse<String> response = post("DynamoDB_20120810.DescribeTable", "{\"TableName\":5}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("#SerializationException");
    }

    @Test
    void unknownTarget_andStreamsWithoutHandler_areUnknownOperations() throws Exception {
        assertThat(post("DynamoDB_20120810.Frobnicate", "{}").body()).contains("#UnknownOperationException");
        assertThat(post("DynamoDBStreams_20120810.ListStreams", "{}").body()).contains("#UnknownOperationException");
        assertThat(post(null, "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void missingTableName_isDynamoDbsNotNullValidationError() throws Exception {
        HttpResponse<String> response = post("DynamoDB_20120810.GetItem", "{\"Key\":{\"id\":{\"S\":\"x\"}}}");

        assertThat(response.body()).contains("#ValidationException").contains("1 validation error detected: Value "
                + "null at 'tableName' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void success_carriesJsonContentTypeCrcAndRequestId() throws Exception {
        HttpResponse<String> response = post("DynamoDB_20120810.ListTables", "{}");

        CRC32 crc = new CRC32();
        crc.update(response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.0");
        assertThat(response.headers().firstValue("x-amz-crc32")).hasValue(Long.toString(crc.getValue()));
        assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(response.body()).isEqualTo("{\"TableNames\":[]}");
    }

    @Test
    void get_isRefusedWithABody() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).contains("__type");
    }
}
