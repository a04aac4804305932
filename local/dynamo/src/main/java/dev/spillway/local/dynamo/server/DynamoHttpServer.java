package dev.spillway.local.dynamo.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.spillway.local.dynamo.table.Database;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * DynamoDB's HTTP front: {@code POST /} with {@code X-Amz-Target: DynamoDB_20120810.<Operation>} (or the Streams
 * API's {@code DynamoDBStreams_20120810.<Operation>}), JSON 1.0 bodies, errors in DynamoDB's shape so the AWS SDK
 * raises its own exception classes. Any credentials and signature are accepted.
 */
public final class DynamoHttpServer implements AutoCloseable {

    static {
        // Read once when the JDK server's config class loads: without it Nagle plus delayed ACKs cost ~40 ms a call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Logger LOG = Logger.getLogger(DynamoHttpServer.class);
    private static final String DYNAMODB = "DynamoDB_20120810.";
    private static final String STREAMS = "DynamoDBStreams_20120810.";
    private static final String ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#";
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final int THREADS = 16;

    private final ObjectMapper json = new ObjectMapper();
    private final String host;
    private final int requestedPort;
    private final Database database;
    private final StreamsHandler streams;
    private final String requestIdPrefix = UUID.randomUUID().toString().substring(0, 24);
    private final AtomicLong requestCounter = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param port 0 for any free port
     * @param streams answers the Streams API; null makes its targets unknown operations
     */
    public DynamoHttpServer(String host, int port, Database database, StreamsHandler streams) {
        this.host = Objects.requireNonNull(host);
        this.requestedPort = port;
        this.database = Objects.requireNonNull(database);
        this.streams = streams;
    }

    public synchronized DynamoHttpServer start() throws IOException {
        if (server != null) {
            return this;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "dynamo-http-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(host, requestedPort), 128);
        server.createContext("/", this::exchange);
        server.setExecutor(executor);
        server.start();
        return this;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                send(exchange, 405, error("UnknownOperationException", "Only POST / is supported"));
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                send(exchange, 413, error("ValidationException", "Request body exceeds " + MAX_BODY_BYTES
                        + " bytes"));
                return;
            }
            ObjectNode response;
            int status = 200;
            try {
                response = dispatch(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body);
            } catch (DynamoException e) {
                status = e.status();
                response = error(e);
            } catch (RuntimeException e) {
                LOG.error("DynamoDB emulator failed on a request", e);
                status = 500;
                response = error("InternalServerError", "Internal server error: " + e);
            }
            send(exchange, status, response);
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "DynamoDB emulator could not answer a request");
        }
    }

    private ObjectNode dispatch(String target, byte[] body) {
        if (target == null) {
            throw DynamoException.unknownOperation();
        }
        if (target.startsWith(DYNAMODB)) {
            return database.handle(target.substring(DYNAMODB.length()), parse(body));
        }
        if (target.startsWith(STREAMS) && streams != null) {
            return streams.handle(target.substring(STREAMS.length()), parse(body));
        }
        throw DynamoException.unknownOperation();
    }

    private ObjectNode parse(byte[] body) {
        if (body.length == 0) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw DynamoException.serialization("Start of structure or map found where not expected, or the body "
                    + "is not valid JSON");
        } catch (IOException e) {
            throw DynamoException.serialization("Unreadable request body");
        }
        if (node == null || node.isMissingNode()) {
            return json.createObjectNode();
        }
        if (!node.isObject()) {
            throw DynamoException.serialization("Start of list found where not expected");
        }
        return (ObjectNode) node;
    }

    /** The whole body, or null when it is over the limit. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private ObjectNode error(DynamoException e) {
        ObjectNode body = error(e.type(), e.getMessage());
        if (e.item() != null) {
            body.set("Item", AttributeValueJson.itemToJson(e.item()));
        }
        List<DynamoException.CancellationReason> reasons = e.cancellationReasons();
        if (reasons != null) {
            // DynamoDB writes this exception's message as "Message"; the SDK reads either spelling.
            body.set("Message", body.remove("message"));
            ArrayNode list = body.putArray("CancellationReasons");
            for (DynamoException.CancellationReason reason : reasons) {
                ObjectNode entry = list.addObject().put("Code", reason.code());
                if (reason.message() != null) {
                    entry.put("Message", reason.message());
                }
                if (reason.item() != null) {
                    entry.set("Item", AttributeValueJson.itemToJson(reason.item()));
                }
            }
        }
        return body;
    }

    private ObjectNode error(String type, String message) {
        ObjectNode body = json.createObjectNode().put("__type", ERROR_PREFIX + type);
        if (message != null) {
            body.put("message", message);
        }
        return body;
    }

    private void send(HttpExchange exchange, int status, ObjectNode response) throws IOException {
        byte[] bytes = json.writeValueAsBytes(response);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Map<String, List<String>> headers = exchange.getResponseHeaders();
        headers.put("Content-Type", List.of("application/x-amz-json-1.0"));
        headers.put("x-amz-crc32", List.of(Long.toString(crc.getValue())));
        headers.put("x-amzn-RequestId", List.of(requestIdPrefix + String.format("%012x",
                requestCounter.incrementAndGet())));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
