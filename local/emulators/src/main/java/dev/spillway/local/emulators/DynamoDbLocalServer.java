package dev.spillway.local.emulators;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

/** DynamoDB Local, in memory, embedded on a loopback port. */
public final class DynamoDbLocalServer implements AutoCloseable {

    private final int port;
    private DynamoDBProxyServer server;

    public DynamoDbLocalServer(int port) {
        this.port = port;
    }

    public synchronized DynamoDbLocalServer start() {
        if (server == null) {
            try {
                server = ServerRunner.createServerFromCommandLineArgs(
                        new String[] { "-inMemory", "-port", Integer.toString(port), "-disableTelemetry" });
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not start on port " + port, e);
            }
        }
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not stop", e);
            }
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
