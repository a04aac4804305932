package dev.spillway.core.webhook;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST to a {@link CallbackTarget}, over a socket opened to the address the target was checked at.
 * A general HTTP client would resolve the host again (and follow redirects); this one cannot: the socket goes to
 * that address, TLS still verifies the certificate against the host name (SNI + endpoint identification), and
 * only the status line of the answer is read, so a redirect is just a non-2xx status.
 */
public class WebhookSender {

    private static final int MAX_STATUS_LINE = 512;

    private final Duration connectTimeout;
    private final Duration responseTimeout;

    public WebhookSender(Duration connectTimeout, Duration responseTimeout) {
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    /** @return the HTTP status of the response */
    public int post(CallbackTarget target, Map<String, String> headers, byte[] body) throws IOException {
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(target.address(), target.port()), (int) connectTimeout.toMillis());
            raw.setSoTimeout((int) responseTimeout.toMillis());
            Socket socket = target.tls() ? tls(raw, target) : raw;
            try (socket) {
                OutputStream out = socket.getOutputStream();
                StringBuilder head = new StringBuilder()
                        .append("POST ").append(target.requestTarget()).append(" HTTP/1.1\r\n")
                        .append("Host: ").append(target.hostHeader()).append("\r\n")
                        .append("Content-Type: application/json\r\n")
                        .append("Content-Length: ").append(body.length).append("\r\n")
                        .append("Connection: close\r\n")
                        .append("User-Agent: Spillway-Webhooks/1\r\n");
                headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
                head.append("\r\n");
                out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return readStatus(new BufferedInputStream(socket.getInputStream()),
                        System.nanoTime() + responseTimeout.toNanos());
            }
        } finally {
            raw.close();
        }
    }

    private SSLSocket tls(Socket raw, CallbackTarget target) throws IOException {
        SSLSocket socket = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(raw, target.host(), target.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!target.host().contains(":") && !Character.isDigit(target.host().charAt(target.host().length() - 1))) {
            parameters.setServerNames(List.of(new SNIHostName(target.host())));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /**
     * Reads {@code HTTP/1.x NNN reason}; the rest of the response does not matter. The deadline bounds the whole
     * line, so a receiver trickling one byte at a time cannot hold the notifier past the response timeout.
     */
    private static int readStatus(InputStream in, long deadlineNanos) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (line.size() >= MAX_STATUS_LINE) {
                throw new IOException("response status line too long");
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new java.net.SocketTimeoutException("no complete response status line in time");
            }
            line.write(c);
        }
        String status = line.toString(StandardCharsets.US_ASCII).strip();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new IOException(status.isEmpty() ? "empty response" : "not an HTTP/1.x response");
        }
        return Integer.parseInt(parts[1]);
    }
}
