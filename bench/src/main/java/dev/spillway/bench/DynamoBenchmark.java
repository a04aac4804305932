package dev.spillway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * One GetItem or PutItem at a time through the AWS SDK v2 with the HTTP client Spillway's apps use
 * (UrlConnectionHttpClient), against our DynamoDB emulator, dynalite (the reference) and the floor (a server that
 * answers canned bytes: what HTTP and the SDK cost with no database), each its own process. Diagnostic lanes
 * repeat the emulator and the floor with the SDK's Apache client, and call a floor that closes every connection.
 * They show where the time goes: the JDK's HttpURLConnection, before it reuses a kept-alive connection for a
 * streamed POST (the SDK always streams a request with a known length), reads the idle socket with a 1 ms timeout
 * to see whether the server closed it ({@code sun.net.www.http.HttpClient.available()}), so every call through
 * UrlConnectionHttpClient waits a millisecond whatever the server. Every lane is warmed up first; the measured calls then come in rounds that visit every lane in turn, so a burst
 * of load from elsewhere on the machine falls on all of them alike.
 */
public final class DynamoBenchmark implements Benchmark {

    private record Lane(String server, String client, DynamoWorkload workload) {
    }

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int warmup = options.integer("warmup", 5000, 20);
        int calls = options.integer("calls", 5000, 50);
        int rounds = options.integer("rounds", 5, 1);

        try (DynamoServerProcess emulator = DynamoServerProcess.emulator(options);
                DynamoServerProcess dynalite = DynamoServerProcess.dynalite(options);
                DynamoServerProcess floor = DynamoServerProcess.floor(options);
                DynamoServerProcess closingFloor = DynamoServerProcess.floorClosingConnections(options)) {
            List<Lane> lanes = new ArrayList<>();
            try {
                lanes.add(lane(emulator, "UrlConnection", UrlConnectionHttpClient.builder(), true));
                lanes.add(lane(dynalite, "UrlConnection", UrlConnectionHttpClient.builder(), true));
                lanes.add(lane(floor, "UrlConnection", UrlConnectionHttpClient.builder(), false));
                lanes.add(lane(emulator, "Apache", ApacheHttpClient.builder(), false));
                lanes.add(lane(floor, "Apache", ApacheHttpClient.builder(), false));
                lanes.add(lane(closingFloor, "UrlConnection", UrlConnectionHttpClient.builder(), false));

                for (Lane lane : lanes) {
                    lane.workload().run(warmup, false);
                }
                for (int round = 0; round < rounds; round++) {
                    for (Lane lane : lanes) {
                        lane.workload().run(calls / rounds, true);
                    }
                }
                print(lanes, options);
                return report(lanes);
            } finally {
                lanes.forEach(lane -> lane.workload().close());
            }
        }
    }

    private static Lane lane(DynamoServerProcess server, String client, SdkHttpClient.Builder<?> http,
            boolean createTable) {
        DynamoWorkload workload = new DynamoWorkload(server.endpoint(), http);
        workload.prepare(createTable);
        return new Lane(server.name(), client, workload);
    }

    private static void print(List<Lane> lanes, BenchOptions options) {
        Table results = new Table("DynamoDB calls through the AWS SDK v2, one at a time (loopback, each server its"
                + " own process)", "server", "HTTP client", "calls", "wrong", "GetItem p50 ms", "GetItem p99 ms",
                "PutItem p50 ms", "PutItem p99 ms");
        for (Lane lane : lanes) {
            results.row(lane.server(), lane.client(), lane.workload().gets().count() + lane.workload().puts().count(),
                    lane.workload().wrong(), lane.workload().gets().p50(), lane.workload().gets().p99(),
                    lane.workload().puts().p50(), lane.workload().puts().p99());
        }
        results.print(System.out);

        DynamoWorkload emulator = lanes.get(0).workload();
        Table ratios = new Table("Emulator relative to the references (p50)", "measure", "GetItem", "PutItem");
        ratioRow(ratios, "emulator / dynalite", emulator, lanes.get(1).workload());
        ratioRow(ratios, "emulator / floor", emulator, lanes.get(2).workload());
        ratioRow(ratios, "emulator / floor, both Apache", lanes.get(3).workload(), lanes.get(4).workload());
        ratioRow(ratios, "emulator, Apache / UrlConnection", lanes.get(3).workload(), emulator);
        ratios.print(System.out);

        DynamoWorkload floorUrl = lanes.get(2).workload();
        Table shares = new Table("Where the time goes (differences of p50, ms)", "measure", "GetItem", "PutItem");
        differenceRow(shares, "the emulator's own work: emulator - floor (UrlConnection)", emulator, floorUrl);
        differenceRow(shares, "the client's wait: floor UrlConnection - floor Apache", floorUrl,
                lanes.get(4).workload());
        differenceRow(shares, "a server closing every connection: floor, Connection: close - floor",
                lanes.get(5).workload(), floorUrl);
        shares.print(System.out);
        System.out.println("(UrlConnectionHttpClient streams every request body; before it reuses a kept-alive"
                + " connection for a streamed POST, the JDK's HttpURLConnection reads the idle socket with a 1 ms"
                + " timeout to check that the server has not closed it: a millisecond per call whatever the server.)");

        DynamoWorkload emulatorApache = lanes.get(3).workload();
        System.out.printf(Locale.ROOT, "%ngoal (emulator, UrlConnection): GetItem p50 < 1 ms -> %s, PutItem p50 < 1 ms"
                + " -> %s; with the Apache client: %s, %s%s%n", CacheHitBenchmark.verdict(emulator.gets().p50() < 1),
                CacheHitBenchmark.verdict(emulator.puts().p50() < 1),
                CacheHitBenchmark.verdict(emulatorApache.gets().p50() < 1),
                CacheHitBenchmark.verdict(emulatorApache.puts().p50() < 1),
                options.quick() ? " (quick run: too few calls to judge)" : "");
    }

    private static void ratioRow(Table table, String measure, DynamoWorkload numerator, DynamoWorkload denominator) {
        table.row(measure, numerator.gets().p50() / denominator.gets().p50(),
                numerator.puts().p50() / denominator.puts().p50());
    }

    private static void differenceRow(Table table, String measure, DynamoWorkload minuend, DynamoWorkload subtrahend) {
        table.row(measure, minuend.gets().p50() - subtrahend.gets().p50(),
                minuend.puts().p50() - subtrahend.puts().p50());
    }

    private static boolean report(List<Lane> lanes) {
        boolean allRight = true;
        for (Lane lane : lanes) {
            if (lane.workload().wrong() > 0) {
                System.out.println("wrong answers from " + lane.server() + " (" + lane.client() + "): "
                        + lane.workload().wrong() + ", e.g. " + lane.workload().firstWrong());
                allRight = false;
            }
        }
        return allRight;
    }
}
