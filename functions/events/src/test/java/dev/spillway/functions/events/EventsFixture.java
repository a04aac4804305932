package dev.spillway.functions.events;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** What the event-source tests use: the Lambda mock event server, the emulators, and real stream records. */
final class EventsFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAT = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    private EventsFixture() {
    }

    static LocalCloud cloud() {
        return SpillwayTestResource.cloud();
    }

    /** Invokes the function under test with a raw event, as Lambda would, and returns its response. */
    static Response invoke(Object event) {
        int port = ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
        return given().port(port).contentType(ContentType.JSON).body(event).post("/");
    }

    static String newKey(ApiKeyStore keys, String tenant, Tier tier) {
        String key = ApiKeys.generate();
        keys.put(new ApiKey(ApiKeys.hash(key), tenant, tier, Set.of(), 0, 0, Instant.now(), null));
        return key;
    }

    /** A finished job with a callback, stored as a worker leaves it (QUEUED → RUNNING → SUCCEEDED). */
    static Job succeededJob(JobStore store, String tenant, String callbackUrl) {
        Instant now = Instant.now();
        ChatCompletionRequest request = new ChatCompletionRequest("test-model",
                List.of(new ChatMessage("user", "hello", null)), null, null, null, null, null, null);
        Job job = Job.queued(JobIds.next(), tenant, Tier.STANDARD, request, null, now, now.plusSeconds(3600))
                .withCallbackUrl(callbackUrl);
        store.create(job);
        store.claim(job.id(), "test-worker", now, now.plusSeconds(60)).orElseThrow();
        ChatCompletion result = ChatCompletion.of("chatcmpl-" + job.id(), now.getEpochSecond(), "test-model",
                "hi there", "stop", Usage.of(3, 2));
        return store.succeed(job.id(), "test-worker", result, now)
                .orElseThrow(() -> new IllegalStateException("could not finish " + job.id()));
    }

    /** The jobs table's stream records of one job, read from the DynamoDB emulator's Streams API as Lambda would get them. */
    static List<Record> streamRecords(String jobId) {
        LocalCloud cloud = cloud();
        String arn = cloud.dynamo().describeTable(b -> b.tableName(cloud.jobsTable())).table().latestStreamArn();
        List<Record> records = new ArrayList<>();
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(cloud.dynamoServer().endpoint())).region(Region.of(LocalCloud.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            for (Shard shard : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                for (int page = 0; iterator != null && page < 100; page++) {
                    String current = iterator;
                    var response = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                    response.records().stream()
                            .filter(r -> jobId.equals(r.dynamodb().keys().get("id").s()))
                            .forEach(records::add);
                    if (response.records().isEmpty()) {
                        break;
                    }
                    iterator = response.nextShardIterator();
                }
            }
        }
        return records;
    }

    /** A DynamoDB Streams Lambda event made of these records, in the JSON Lambda sends. */
    static Map<String, Object> streamEvent(List<Record> records) {
        List<Object> out = new ArrayList<>();
        for (Record record : records) {
            Map<String, Object> dynamodb = new LinkedHashMap<>();
            dynamodb.put("ApproximateCreationDateTime", record.dynamodb().approximateCreationDateTime() == null ? null
                    : record.dynamodb().approximateCreationDateTime().getEpochSecond());
            dynamodb.put("Keys", image(record.dynamodb().keys()));
            if (record.dynamodb().hasNewImage()) {
                dynamodb.put("NewImage", image(record.dynamodb().newImage()));
            }
            if (record.dynamodb().hasOldImage()) {
                dynamodb.put("OldImage", image(record.dynamodb().oldImage()));
            }
            dynamodb.put("SequenceNumber", record.dynamodb().sequenceNumber());
            dynamodb.put("SizeBytes", record.dynamodb().sizeBytes());
            dynamodb.put("StreamViewType", record.dynamodb().streamViewTypeAsString());
            Map<String, Object> lambdaRecord = new LinkedHashMap<>();
            lambdaRecord.put("eventID", record.eventID());
            lambdaRecord.put("eventName", record.eventNameAsString());
            lambdaRecord.put("eventVersion", "1.1");
            lambdaRecord.put("eventSource", "aws:dynamodb");
            lambdaRecord.put("awsRegion", LocalCloud.REGION);
            lambdaRecord.put("dynamodb", dynamodb);
            lambdaRecord.put("eventSourceARN", "arn:aws:dynamodb:us-east-1:000000000000:table/spillway-jobs/stream/x");
            out.add(lambdaRecord);
        }
        return Map.of("Records", out);
    }

    private static Map<String, Object> image(Map<String, AttributeValue> item) {
        Map<String, Object> image = new LinkedHashMap<>();
        item.forEach((name, value) -> image.put(name, value(value)));
        return image;
    }

    private static Map<String, Object> value(AttributeValue value) {
        return switch (value.type()) {
            case S -> Map.of("S", value.s());
            case N -> Map.of("N", value.n());
            case BOOL -> Map.of("BOOL", value.bool());
            case NUL -> Map.of("NULL", true);
            case B -> Map.of("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case SS -> Map.of("SS", value.ss());
            case NS -> Map.of("NS", value.ns());
            case M -> Map.of("M", image(value.m()));
            case L -> Map.of("L", value.l().stream().map(EventsFixture::value).toList());
            default -> throw new IllegalArgumentException("unsupported attribute type " + value.type());
        };
    }

    /** An SQS event carrying these message bodies, ids {@code prefix-0}, {@code prefix-1}, ... */
    static Map<String, Object> sqsEvent(String prefix, List<String> bodies) {
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", prefix + "-" + i);
            record.put("receiptHandle", "receipt-" + prefix + "-" + i);
            record.put("body", bodies.get(i));
            record.put("attributes", Map.of("ApproximateReceiveCount", "1"));
            record.put("messageAttributes", Map.of());
            record.put("md5OfBody", "");
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:spillway-ingest");
            record.put("awsRegion", LocalCloud.REGION);
            records.add(record);
        }
        return Map.of("Records", records);
    }
}
