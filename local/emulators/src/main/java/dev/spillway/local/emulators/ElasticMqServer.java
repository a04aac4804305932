package dev.spillway.local.emulators;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** ElasticMQ, an SQS-compatible server, embedded on a loopback port. Can be stopped and started again. */
public final class ElasticMqServer implements AutoCloseable {

    private final int port;
    private SQSRestServer server;

    public ElasticMqServer(int port) {
        this.port = port;
    }

    public synchronized ElasticMqServer start() {
        if (server == null) {
            server = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1").start();
            server.waitUntilStarted();
        }
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stopAndWait();
            server = null;
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
