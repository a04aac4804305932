package dev.spillway.local.emulators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay in front of an emulator that a test can cut, stall and restore: while cut, open connections
 * are reset and new ones are refused at once, as when an AWS endpoint is unreachable; while stalled, connections
 * stay open and nothing answers, as when packets are silently dropped. The emulator behind keeps its state (an
 * outage, not a data loss: stopping an in-memory emulator would lose its queues and tables, which the real
 * services never do).
 */
public final class FaultyLink implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    /** Connections that sent or opened while stalled: their bytes went nowhere, so they end with the stall. */
    private final Set<Socket> hung = ConcurrentHashMap.newKeySet();
    private final AtomicInteger hungRequests = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean stalled;
    private volatile boolean closed;

    public FaultyLink(int targetPort) {
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a relay port", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "faulty-link-" + targetPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Resets every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        open.forEach(FaultyLink::reset);
    }

    /** Stops relaying: what clients send is swallowed and nothing answers, until {@link #restore()}. */
    public void stall() {
        stalled = true;
    }

    /** Ends a cut or a stall; connections that hung in the stall are reset, as a dead connection finally is. */
    public void restore() {
        cut = false;
        stalled = false;
        hung.forEach(FaultyLink::reset);
        hung.clear();
    }

    public boolean isCut() {
        return cut;
    }

    /** Connections refused while cut: proof that the outage was felt. */
    public int refusedConnections() {
        return refused.get();
    }

    /** Requests swallowed while stalled (each write, or each new connection): proof that the stall was felt. */
    public int hungRequests() {
        return hungRequests.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (cut) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            if (stalled) {
                hang(client);
                continue;
            }
            try {
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                open.add(client);
                open.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0 && !cut; read = in.read(buffer)) {
                    if (stalled) {
                        hang(from, to);
                        continue;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side went away, or the link was cut
            } finally {
                open.remove(from);
                open.remove(to);
                reset(from);
                reset(to);
            }
        }, "faulty-link-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void hang(Socket... sockets) {
        hungRequests.incrementAndGet();
        for (Socket socket : sockets) {
            hung.add(socket);
            if (!stalled) { // restored meanwhile: end it as restore() ended the others
                hung.remove(socket);
                reset(socket);
            }
        }
    }

    /** Closes with RST rather than FIN, so the client sees a failed exchange, not a clean end of stream. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        restore();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
