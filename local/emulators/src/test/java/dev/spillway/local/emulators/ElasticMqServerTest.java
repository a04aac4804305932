package dev.spillway.local.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

class ElasticMqServerTest {

    @Test
    void stop_closesALongPollInFlightInsteadOfWaitingItOut() throws Exception {
        ElasticMqServer server = new ElasticMqServer(Ports.free()).start();
        try (SqsClient sqs = LocalCloud.sqsClient(server.endpoint())) {
            String queue = sqs.createQueue(b -> b.queueName("stop-test")).queueUrl();
            CompletableFuture<ReceiveMessageResponse> poll = CompletableFuture.supplyAsync(
                    () -> sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(20)));
            Thread.sleep(500); // the receive is now waiting inside ElasticMQ

            server.stop();

            // Waited out, the poll would end normally and empty after its 20 s.
            assertThatThrownBy(() -> poll.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SdkClientException.class);
            assertThat(poll).isCompletedExceptionally();
        } finally {
            server.stop();
        }
    }

    @Test
    void stop_thenStart_servesAgainOnTheSamePort() {
        ElasticMqServer server = new ElasticMqServer(Ports.free()).start();
        try (SqsClient sqs = LocalCloud.sqsClient(server.endpoint())) {
            sqs.createQueue(b -> b.queueName("before"));
            server.stop();
            server.start();

            String queue = sqs.createQueue(b -> b.queueName("after")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("hello"));

            assertThat(sqs.receiveMessage(b -> b.queueUrl(queue)).messages()).extracting(m -> m.body())
                    .containsExactly("hello");
        } finally {
            server.stop();
        }
    }

    @Test
    void withADataFolder_aNewServerOnAnotherPort_restoresTheQueuesAndTheirMessages(@TempDir Path data) {
        // GIVEN a message sent to a queue of a server keeping its data in a folder
        ElasticMqServer first = new ElasticMqServer(Ports.free(), data).start();
        try (SqsClient sqs = LocalCloud.sqsClient(first.endpoint())) {
            String queue = sqs.createQueue(b -> b.queueName("kept")
                    .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "7"))).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("survives"));
        } finally {
            first.stop();
        }

        // WHEN another server starts on the same folder (as after a restart, on a new port)
        ElasticMqServer second = new ElasticMqServer(Ports.free(), data).start();
        try (SqsClient sqs = LocalCloud.sqsClient(second.endpoint())) {
            // THEN creating the queue again with the same attributes finds it, message included
            String queue = sqs.createQueue(b -> b.queueName("kept")
                    .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "7"))).queueUrl();
            assertThat(queue).startsWith(second.endpoint());
            assertThat(sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages())
                    .extracting(m -> m.body()).containsExactly("survives");
        } finally {
            second.stop();
        }
    }

    @Test
    void withoutADataFolder_aRestartStartsEmpty() {
        ElasticMqServer server = new ElasticMqServer(Ports.free()).start();
        try (SqsClient sqs = LocalCloud.sqsClient(server.endpoint())) {
            sqs.createQueue(b -> b.queueName("forgotten"));
            server.stop();
            server.start();

            assertThat(sqs.listQueues().queueUrls()).isEmpty();
            assertThat(server.dataFolder()).isNull();
        } finally {
            server.stop();
        }
    }
}
