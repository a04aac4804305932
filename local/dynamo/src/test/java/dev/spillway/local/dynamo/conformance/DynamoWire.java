package dev.spillway.local.dynamo.conformance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * DynamoDB's JSON protocol spoken over plain HTTP, so that malformed bodies and unknown operations can be sent too.
 * The Authorization header has SigV4's shape with a dummy signature: dynalite insists on one, nobody checks it.
 */
final class DynamoWire {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=conformance/20240101/us-east-1/dynamodb/"
            + "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    DynamoWire(URI endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * @param target "Operation" (prefixed with DynamoDB_20120810.), or a full X-Amz-Target such as
     *               "DynamoDBStreams_20120810.ListStreams"
     * @param body   the request body exactly as sent
     */
    Outcome call(String target, String body) {
        String fullTarget = target.contains(".") ? target : "DynamoDB_20120810." + target;
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", fullTarget)
                .header("X-Amz-Date", "20240101T000000Z")
                .header("Authorization", AUTHORIZATION)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return Outcome.of(response.statusCode(), parse(response.body()),
                    fullTarget.substring(fullTarget.indexOf('.') + 1));
        } catch (IOException e) {
            throw new IllegalStateException("no answer from " + endpoint + " to " + fullTarget, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body.isBlank() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JsonNodeFactory.instance.objectNode().put("unparsableBody", body);
        }
    }
}
