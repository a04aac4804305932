package dev.spillway.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.spillway.local.emulators.LocalCloud;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The floor under the spill lane on the local emulators: the store and queue round trips no spilled request can do
 * without, made back to back by a bare client on the stack's own ElasticMQ and DynamoDB emulator. A request is
 * recorded (PutItem) and queued (SendMessage) to a receiver that is already long-polling, which claims it and
 * stores a result (two conditional UpdateItems) and hands it back within this process (Spillway's Redis notice
 * costs more). The items go to a scratch table with a stream like the jobs table's but without its two sparse
 * indexes, so the floor errs low: Spillway's share computed from it errs high.
 */
final class EmulatorFloor implements AutoCloseable {

    private static final String NAME = "spillway-bench-floor";
    /** About the size of a short chat request as the job store records it. */
    private static final String REQUEST = "{\"model\":\"" + LocalStackProcess.MODEL
            + "\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"question 123\"}]}";

    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Map<String, CompletableFuture<Void>> answered = new ConcurrentHashMap<>();
    private final Thread receiver;
    private volatile boolean running = true;

    private EmulatorFloor(LocalStackProcess.Emulators emulators) {
        dynamo = LocalCloud.dynamoClient(emulators.dynamo());
        sqs = LocalCloud.sqsClient(emulators.sqs());
        try {
            dynamo.createTable(b -> b.tableName(NAME).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        } catch (ResourceInUseException exists) {
            // measured before in this stack
        }
        queueUrl = sqs.createQueue(b -> b.queueName(NAME)).queueUrl();
        receiver = new Thread(this::receive, "floor-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Measures {@code rounds} requests one after another, after {@code warmup} unmeasured ones. */
    static Latencies measure(LocalStackProcess.Emulators emulators, int warmup, int rounds) throws Exception {
        try (EmulatorFloor floor = new EmulatorFloor(emulators)) {
            for (int i = 0; i < warmup; i++) {
                floor.roundTrip("warm-" + i);
            }
            long[] nanos = new long[rounds];
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                long sent = System.nanoTime();
                floor.roundTrip("round-" + i + "-" + start);
                nanos[i] = System.nanoTime() - sent;
            }
            return new Latencies(nanos, System.nanoTime() - start);
        }
    }

    private void roundTrip(String id) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        answered.put(id, done);
        dynamo.putItem(b -> b.tableName(NAME).item(Map.of("id", s(id), "status", s("QUEUED"), "request", s(REQUEST))));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(id));
        done.get(30, TimeUnit.SECONDS);
        answered.remove(id);
    }

    private void receive() {
        while (running) {
            try {
                for (Message message : sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(1)).messages()) {
                    String id = message.body();
                    dynamo.updateItem(b -> b.tableName(NAME).key(Map.of("id", s(id)))
                            .updateExpression("SET #status = :running, #owner = :owner")
                            .conditionExpression("#status = :queued")
                            .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                            .expressionAttributeValues(Map.of(":running", s("RUNNING"), ":queued", s("QUEUED"),
                                    ":owner", s("floor")))
                            .returnValues(ReturnValue.ALL_NEW));
                    dynamo.updateItem(b -> b.tableName(NAME).key(Map.of("id", s(id)))
                            .updateExpression("SET #status = :succeeded, #result = :result REMOVE #owner")
                            .conditionExpression("#status = :running AND #owner = :owner")
                            .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner", "#result", "result"))
                            .expressionAttributeValues(Map.of(":running", s("RUNNING"), ":succeeded", s("SUCCEEDED"),
                                    ":owner", s("floor"), ":result", s(REQUEST)))
                            .returnValues(ReturnValue.ALL_NEW));
                    CompletableFuture<Void> done = answered.get(id);
                    if (done != null) {
                        done.complete(null);
                    }
                    sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
                }
            } catch (RuntimeException e) {
                if (running) {
                    answered.values().forEach(done -> done.completeExceptionally(e));
                }
            }
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        receiver.join(5_000);
        sqs.close();
        dynamo.close();
    }
}
