package dev.spillway.local.dynamo;

import java.nio.file.Path;

/**
 * Runs the emulator on its own: {@code java ... DynamoEmulatorMain [--host 127.0.0.1] [--port 8000]
 * [--data-dir DIR] [--fsync]}. Without {@code --data-dir} nothing outlives the process. Stops on SIGTERM / Ctrl-C.
 */
public final class DynamoEmulatorMain {

    private DynamoEmulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DynamoEmulator.Builder builder = DynamoEmulator.builder().port(8000);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> builder.host(value(args, ++i));
                case "--port" -> builder.port(Integer.parseInt(value(args, ++i)));
                case "--data-dir" -> builder.dataDirectory(Path.of(value(args, ++i)));
                case "--fsync" -> builder.fsync(true);
                default -> {
                    System.err.println("usage: DynamoEmulatorMain [--host H] [--port N] [--data-dir DIR] [--fsync]");
                    System.exit(2);
                }
            }
        }
        DynamoEmulator emulator = builder.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "dynamo-emulator-stop"));
        System.out.println("DynamoDB emulator on " + emulator.endpoint());
        Thread.currentThread().join(); // serve until the JVM is told to stop
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            System.err.println("missing value after " + args[index - 1]);
            System.exit(2);
        }
        return args[index];
    }
}
