package dev.spillway.local.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
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
}
