package dev.spillway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The floor under a DynamoDB call: a loopback server built like the emulator's front (the JDK HTTP server, a thread
 * pool, TCP_NODELAY) that answers GetItem with {@link DynamoWorkload#ITEM_JSON} and anything else with {@code {}}
 * at once, without parsing. What the SDK and HTTP cost with no database. Run as its own process by
 * {@link DynamoServerProcess}: {@code DynamoFloorServer PORT [--close-connections]}. With
 * {@code --close-connections} every answer says {@code Connection: close}: a diagnostic, since the JDK's
 * HttpURLConnection waits a millisecond before it reuses a kept-alive connection for a streamed POST.
 */
public final class DynamoFloorServer {

    private static final byte[] GET_ITEM = ("{\"Item\":" + DynamoWorkload.ITEM_JSON + "}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    private final boolean closeConnections;

    private DynamoFloorServer(boolean closeConnections) {
        this.closeConnections = closeConnections;
    }

    public static void main(String[] args) throws IOException {
        // Read when the JDK server's config loads: the emulator sets the same, so both send their answers alike.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 128);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        server.setExecutor(threads);
        server.createContext("/", new DynamoFloorServer(args.length > 1 && args[1].equals("--close-connections"))::answer);
        server.start();
        System.out.println("DynamoDB floor on " + server.getAddress());
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = target != null && target.endsWith(".GetItem") ? GET_ITEM : EMPTY;
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            if (closeConnections) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
