package dev.spillway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible upstream as cheap as a loopback server can be: one thread, one selector, and the same chat
 * completion for every request, on kept-alive connections. A benchmark's baseline ("client → this server") then
 * costs little more than the loopback itself, and the server takes a small share of the cores it shares with what
 * is measured. It reads each request's head and its {@code Content-Length} body (a chunked body is refused with
 * 411, which the benchmark counts as a wrong answer), and counts the requests it answered.
 */
final class CannedCompletionServer implements AutoCloseable {

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] LENGTH_REQUIRED = ("HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final byte[] answer;
    private final AtomicLong answered = new AtomicLong();
    private final Thread loop;
    private volatile boolean open = true;

    /** @param completion the JSON body of every answer */
    CannedCompletionServer(String completion) {
        byte[] body = completion.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        answer = new byte[head.length + body.length];
        System.arraycopy(head, 0, answer, 0, head.length);
        System.arraycopy(body, 0, answer, head.length, body.length);
        try {
            selector = Selector.open();
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loop = new Thread(this::serve, "canned-upstream");
        loop.setDaemon(true);
        loop.start();
    }

    /** The API root clients append {@code /chat/completions} to. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.socket().getLocalPort() + "/v1";
    }

    /** Requests answered with the completion so far. */
    long answered() {
        return answered.get();
    }

    private void serve() {
        try {
            while (open) {
                selector.select();
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            ((Connection) key.attachment()).ready(key);
                        }
                    } catch (IOException e) {
                        key.channel().close();
                    }
                }
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept() throws IOException {
        SocketChannel channel = server.accept();
        if (channel != null) {
            channel.configureBlocking(false);
            channel.socket().setTcpNoDelay(true);
            channel.register(selector, SelectionKey.OP_READ, new Connection());
        }
    }

    /** One client connection: the bytes read and not yet answered, and an answer not yet fully written. */
    private final class Connection {

        private ByteBuffer in = ByteBuffer.allocate(8192);
        private ByteBuffer out = ByteBuffer.allocate(0);
        private boolean closeAfterWrite;

        void ready(SelectionKey key) throws IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            if (key.isReadable()) {
                if (!in.hasRemaining()) {
                    in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                }
                if (channel.read(in) < 0) {
                    channel.close();
                    return;
                }
                answerCompleteRequests();
            }
            channel.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
            } else if (closeAfterWrite) {
                channel.close();
            } else {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Answers every whole request in {@code in} and keeps the rest of a partial one. */
        private void answerCompleteRequests() {
            byte[] bytes = in.array();
            int start = 0;
            int end = in.position();
            int responses = 0;
            while (!closeAfterWrite) {
                int headEnd = indexOf(bytes, start, end, HEAD_END);
                if (headEnd < 0) {
                    break;
                }
                String head = new String(bytes, start, headEnd - start, StandardCharsets.ISO_8859_1)
                        .toLowerCase(Locale.ROOT);
                long length = contentLength(head);
                if (length < 0) {
                    closeAfterWrite = true;
                    out = appended(out, LENGTH_REQUIRED);
                    break;
                }
                long requestEnd = headEnd + HEAD_END.length + length;
                if (requestEnd > end) {
                    break;
                }
                start = (int) requestEnd;
                responses++;
            }
            for (int i = 0; i < responses; i++) {
                out = appended(out, answer);
            }
            answered.addAndGet(responses);
            in.position(start).limit(end);
            in.compact();
        }

        /** The request's body length: 0 without one, -1 when chunked (not supported). */
        private static long contentLength(String head) {
            int at = head.indexOf("\r\ncontent-length:");
            if (at >= 0) {
                int from = at + "\r\ncontent-length:".length();
                int to = head.indexOf("\r\n", from);
                return Long.parseLong(head.substring(from, to < 0 ? head.length() : to).strip());
            }
            return head.contains("\r\ntransfer-encoding:") ? -1 : 0;
        }

        private static ByteBuffer appended(ByteBuffer pending, byte[] more) {
            if (!pending.hasRemaining()) {
                return ByteBuffer.wrap(more);
            }
            ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + more.length);
            return joined.put(pending).put(more).flip();
        }
    }

    private static int indexOf(byte[] bytes, int from, int to, byte[] pattern) {
        for (int i = from; i <= to - pattern.length; i++) {
            int j = 0;
            while (j < pattern.length && bytes[i + j] == pattern[j]) {
                j++;
            }
            if (j == pattern.length) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        selector.wakeup();
        loop.join(5000);
    }
}
