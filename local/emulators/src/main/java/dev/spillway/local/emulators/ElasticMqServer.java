package dev.spillway.local.emulators;

import java.util.concurrent.TimeUnit;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

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

    /**
     * Closes open connections after a second: ElasticMQ's own stop gives in-flight requests a minute, so a long poll
     * abandoned by a client that has already gone (a stopped worker) would hold every stop for up to 20 s.
     */
    public synchronized void stop() {
        if (server != null) {
            try {
                Await.result(server.waitUntilStarted().terminate(FiniteDuration.apply(1, TimeUnit.SECONDS)),
                        FiniteDuration.apply(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                // stopAndWait below still stops it, only more slowly
            }
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
