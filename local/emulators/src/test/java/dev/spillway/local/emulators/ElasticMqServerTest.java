package dev.spillway.local.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

class ElasticMqServerTest {

    @Test
    void stop_closesALongPollInFlightInsteadOfWaitingItOut() throws Exception {
        // GIVEN a 20 s long poll that has reached ElasticMQ: its client talks through a relay that shows what passed
        ElasticMqServer server = new ElasticMqServer(Ports.free()).start();
        URI direct = URI.create(server.endpoint());
        try (SqsClient setup = LocalCloud.sqsClient(server.endpoint());
                Relay relay = new Relay(direct.getPort(),
                        sent -> sent.contains("AmazonSQS.ReceiveMessage") && sent.endsWith("}"));
                SqsClient sqs = LocalCloud.sqsClient("http://127.0.0.1:" + relay.port())) {
            String queue = setup.createQueue(b -> b.queueName("stop-test")).queueUrl();
            CompletableFuture<ReceiveMessageResponse> poll = CompletableFuture.supplyAsync(
                    () -> sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(20)));
            Relay.Connection receive = relay.requestRelayed().get(30, TimeUnit.SECONDS);

            // WHEN the server stops
            server.stop();

            // THEN ElasticMQ closed the poll's connection without an answer, and the client saw it fail (waited out,
            // the poll would have ended normally and empty after its 20 s)
            assertThat(receive.serverClosed()).succeedsWithin(Duration.ofSeconds(30));
            assertThat(receive.receivedBytes()).as("bytes ElasticMQ answered the poll with").isZero();
            assertThatThrownBy(() -> poll.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SdkClientException.class);
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

    /**
     * A TCP relay to a local port that records, per connection, what the client sent and whether the server
     * answered or closed: it shows that a request reached the server, where a client error alone would not.
     */
    private static final class Relay implements AutoCloseable {

        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Connection> connections = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Connection> requestRelayed = new CompletableFuture<>();
        private final int target;
        private final Predicate<String> request;

        /** @param request tells, from all a client sent so far on a connection, that the awaited request is whole */
        Relay(int target, Predicate<String> request) throws IOException {
            this.target = target;
            this.request = request;
            daemon(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void daemon(Runnable task) {
            Thread thread = new Thread(task, "relay");
            thread.setDaemon(true);
            thread.start();
        }

        /** Completes with the connection once the awaited request has been passed on to the server in full. */
        CompletableFuture<Connection> requestRelayed() {
            return requestRelayed;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Connection connection = new Connection(client);
                    connections.add(connection);
                    daemon(connection::relay);
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Connection connection : connections) {
                connection.client.close();
            }
        }

        /** One client connection and what crossed it. */
        final class Connection {

            private final Socket client;
            private final StringBuffer sent = new StringBuffer();
            private final AtomicLong received = new AtomicLong();
            private final CompletableFuture<Void> serverClosed = new CompletableFuture<>();

            Connection(Socket client) {
                this.client = client;
            }

            long receivedBytes() {
                return received.get();
            }

            /** Completes when the server ended the connection (or could not be reached). */
            CompletableFuture<Void> serverClosed() {
                return serverClosed;
            }

            private void relay() {
                try (client; Socket server = new Socket(InetAddress.getLoopbackAddress(), target)) {
                    daemon(() -> pump(client, server, true));
                    pump(server, client, false);
                } catch (IOException ignored) {
                    // the server is gone: the client sees its connection closed
                } finally {
                    serverClosed.complete(null);
                }
            }

            private void pump(Socket from, Socket to, boolean fromClient) {
                byte[] buffer = new byte[8192];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buffer)) > 0;) {
                        out.write(buffer, 0, n);
                        out.flush();
                        if (fromClient) {
                            sent.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                            if (request.test(sent.toString())) {
                                requestRelayed.complete(this);
                            }
                        } else {
                            received.addAndGet(n);
                        }
                    }
                } catch (IOException ignored) {
                    // either side closed
                }
            }
        }
    }
}
