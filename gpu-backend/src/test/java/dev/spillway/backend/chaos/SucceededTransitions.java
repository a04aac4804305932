package dev.spillway.backend.chaos;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import dev.spillway.local.emulators.LocalCloud;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The ground truth of "duplicated": how many times each job entered SUCCEEDED, read from the jobs table's
 * stream (every write, including one whose response a failing link swallowed). More than one is a duplicate.
 */
final class SucceededTransitions {

    private SucceededTransitions() {
    }

    static Map<String, Integer> byJob(LocalCloud cloud) {
        Map<String, Integer> transitions = new HashMap<>();
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(cloud.dynamoServer().endpoint()))
                .region(Region.of(LocalCloud.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            String streamArn = cloud.dynamo().describeTable(b -> b.tableName(cloud.jobsTable())).table()
                    .latestStreamArn();
            String startAfter = null;
            do {
                String exclusiveStart = startAfter;
                StreamDescription stream = streams.describeStream(b -> b.streamArn(streamArn)
                        .exclusiveStartShardId(exclusiveStart)).streamDescription();
                for (Shard shard : stream.shards()) {
                    readShard(streams, streamArn, shard.shardId(), transitions);
                }
                startAfter = stream.lastEvaluatedShardId();
            } while (startAfter != null);
        }
        return transitions;
    }

    private static void readShard(DynamoDbStreamsClient streams, String streamArn, String shardId,
            Map<String, Integer> transitions) {
        String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        while (iterator != null) {
            String current = iterator;
            GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(current).limit(1000));
            for (Record record : page.records()) {
                Map<String, AttributeValue> after = record.dynamodb().newImage();
                Map<String, AttributeValue> before = record.dynamodb().oldImage();
                if (isSucceeded(after) && !isSucceeded(before)) {
                    transitions.merge(after.get("id").s(), 1, Integer::sum);
                }
            }
            // An open shard never ends: an empty page means everything written so far has been read.
            iterator = page.records().isEmpty() ? null : page.nextShardIterator();
        }
    }

    private static boolean isSucceeded(Map<String, AttributeValue> image) {
        return image != null && image.containsKey("status") && "SUCCEEDED".equals(image.get("status").s());
    }
}
