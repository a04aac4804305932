package dev.spillway.local.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The emulators as the local stack runs them: kept in a data folder, restarted, provisioned again. */
class LocalCloudTest {

    private static LocalCloud.Options options(Path data) {
        return new LocalCloud.Options(Duration.ofSeconds(30), 5, false, false, "cloud-test", 0, 0, 0)
                .withDataFolder(data);
    }

    @Test
    void start_onTheDataFolderOfAStoppedCloud_findsItsQueuedMessagesOnNewPorts(@TempDir Path data) {
        // GIVEN a message queued by a cloud keeping its data in a folder, then stopped
        String firstEndpoint;
        try (LocalCloud first = LocalCloud.start(options(data))) {
            firstEndpoint = first.sqsServer().endpoint();
            first.sqs().sendMessage(b -> b.queueUrl(first.queueUrl("interactive")).messageBody("job-1"));
        }

        // WHEN a new cloud starts on the same folder
        try (LocalCloud second = LocalCloud.start(options(data))) {
            // THEN its tier queue (reached on its own port) still holds the message
            assertThat(second.queueUrl("interactive")).doesNotStartWith(firstEndpoint);
            assertThat(second.sqs().receiveMessage(b -> b.queueUrl(second.queueUrl("interactive")).waitTimeSeconds(1))
                    .messages()).extracting(m -> m.body()).containsExactly("job-1");
            assertThat(second.sqsDataFolder()).contains(data.resolve("sqs"));
        }
    }

    @Test
    void start_withOtherQueueOptionsOnTheSameDataFolder_appliesTheNewAttributes(@TempDir Path data) {
        try (LocalCloud first = LocalCloud.start(options(data))) {
            assertThat(first.queueUrl("standard")).isNotNull();
        }

        try (LocalCloud second = LocalCloud.start(options(data).withVisibilityTimeout(Duration.ofSeconds(45)))) {
            Map<QueueAttributeName, String> attributes = second.sqs().getQueueAttributes(b -> b
                    .queueUrl(second.queueUrl("standard")).attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
                    .attributes();
            assertThat(attributes).containsEntry(QueueAttributeName.VISIBILITY_TIMEOUT, "45");
        }
    }

    @Test
    void provision_again_keepsTheTablesTheirItemsAndTheQueuedMessages(@TempDir Path data) {
        try (LocalCloud cloud = LocalCloud.start(options(data))) {
            // GIVEN an item in the keys table and a queued message
            cloud.dynamo().putItem(b -> b.tableName(cloud.apiKeysTable())
                    .item(Map.of("keyHash", AttributeValue.fromS("kept"))));
            cloud.sqs().sendMessage(b -> b.queueUrl(cloud.queueUrl("batch")).messageBody("queued"));

            // WHEN provisioning runs again, as on a restart
            cloud.provision();

            // THEN nothing was recreated or lost
            assertThat(cloud.dynamo().getItem(b -> b.tableName(cloud.apiKeysTable())
                    .key(Map.of("keyHash", AttributeValue.fromS("kept")))).hasItem()).isTrue();
            assertThat(cloud.dynamo().describeTimeToLive(b -> b.tableName(cloud.jobsTable())).timeToLiveDescription()
                    .attributeName()).isEqualTo("expiresAt");
            assertThat(cloud.sqs().receiveMessage(b -> b.queueUrl(cloud.queueUrl("batch")).waitTimeSeconds(1))
                    .messages()).extracting(m -> m.body()).containsExactly("queued");
        }
    }

    @Test
    void provision_addsTheKeysTenantIndex_toAKeysTableFromBeforeIt(@TempDir Path data) {
        try (LocalCloud cloud = LocalCloud.start(options(data))) {
            // GIVEN a keys table as an earlier release made it, keyed by hash alone, holding a key
            cloud.dynamo().deleteTable(b -> b.tableName(cloud.apiKeysTable()));
            cloud.dynamo().createTable(b -> b.tableName(cloud.apiKeysTable())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("keyHash")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("keyHash").keyType(KeyType.HASH).build()));
            cloud.dynamo().putItem(b -> b.tableName(cloud.apiKeysTable()).item(Map.of(
                    "keyHash", AttributeValue.fromS("old"), "tenant", AttributeValue.fromS("acme"),
                    "created", AttributeValue.fromN("1"))));

            // WHEN the stack starts on it again
            cloud.provision();

            // THEN the key is found by its tenant
            assertThat(cloud.dynamo().query(b -> b.tableName(cloud.apiKeysTable()).indexName("tenant-created-index")
                    .keyConditionExpression("tenant = :t")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromS("acme")))).items())
                    .extracting(item -> item.get("keyHash").s()).containsExactly("old");
        }
    }

    @Test
    void start_forTests_runsARedisAndPointsTheAppsAtIt() {
        try (LocalCloud cloud = LocalCloud.start(LocalCloud.Options.forTests())) {
            assertThat(cloud.redis()).isPresent();
            assertThat(Ports.accepting(cloud.redis().orElseThrow().port())).isTrue();
            assertThat(cloud.config()).containsEntry("quarkus.redis.hosts", cloud.redis().orElseThrow().uri());
        }
    }
}
