package dev.spillway.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Closed-loop HTTP load: {@code concurrency} clients each send their next request as soon as the previous one is
 * answered, until {@code requests} are done. Every response is checked; a wrong one counts as a failure and is
 * not timed.
 */
public final class HttpLoad {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** What one run produced: latencies of the good answers, and how many were wrong or failed. */
    public record Result(Latencies latencies, int failures, String firstFailure) {
    }

    private HttpLoad() {
    }

    public static HttpClient client() {
        return CLIENT;
    }

    public static Result run(int requests, int concurrency, IntFunction<HttpRequest> request,
            Predicate<HttpResponse<String>> expected) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<String> failureSamples = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] nanos = new long[requests];
        AtomicInteger timed = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                running.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        long sent = System.nanoTime();
                        try {
                            HttpResponse<String> response = CLIENT.send(request.apply(i),
                                    HttpResponse.BodyHandlers.ofString());
                            long took = System.nanoTime() - sent;
                            if (expected.test(response)) {
                                nanos[timed.getAndIncrement()] = took;
                            } else {
                                failures.incrementAndGet();
                                failureSamples.add(response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            failureSamples.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
        long elapsed = System.nanoTime() - start;
        return new Result(new Latencies(java.util.Arrays.copyOf(nanos, timed.get()), elapsed), failures.get(),
                failureSamples.isEmpty() ? null : failureSamples.get(0));
    }

    /** Closed loop: each client on its own kept-alive connection sends its next request when answered. */
    static Result keepAlive(int requests, int clients, Callable<KeepAliveClient> connect,
            Predicate<KeepAliveClient.Response> expected) throws Exception {
        List<KeepAliveClient> connected = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                connected.add(connect.call());
            }
            return keepAlive(requests, connected, expected);
        } finally {
            for (KeepAliveClient client : connected) {
                client.close();
            }
        }
    }

    /** The same on connections already open, which stay open for the next run. */
    static Result keepAlive(int requests, List<KeepAliveClient> clients, Predicate<KeepAliveClient.Response> expected)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger timed = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long[] nanos = new long[requests];
        ExecutorService threads = Executors.newFixedThreadPool(clients.size());
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (KeepAliveClient client : clients) {
                running.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        long sent = System.nanoTime();
                        KeepAliveClient.Response response = client.send();
                        long took = System.nanoTime() - sent;
                        if (expected.test(response)) {
                            nanos[timed.getAndIncrement()] = took;
                        } else {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, response.status() + " " + response.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            threads.shutdownNow();
        }
        long elapsed = System.nanoTime() - start;
        return new Result(new Latencies(Arrays.copyOf(nanos, timed.get()), elapsed), failures.get(),
                firstFailure.get());
    }
}
