package dev.spillway.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options: {@code --quick} shrinks every workload to a smoke run (what CI runs: it proves the
 * command works, its figures mean little), {@code --NAME VALUE} overrides one parameter of the benchmark.
 */
public final class BenchOptions {

    private final boolean quick;
    private final Map<String, String> values;
    private final Path repoDir;

    private BenchOptions(boolean quick, Map<String, String> values, Path repoDir) {
        this.quick = quick;
        this.values = values;
        this.repoDir = repoDir;
    }

    public static BenchOptions parse(String[] args, int from) {
        boolean quick = false;
        Map<String, String> values = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.startsWith("--") && i + 1 < args.length) {
                values.put(arg.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
        }
        return new BenchOptions(quick, values,
                Path.of(System.getProperty("spillway.repo-dir", ".")).toAbsolutePath().normalize());
    }

    public boolean quick() {
        return quick;
    }

    /** The value of {@code --name}, else {@code quickDefault} in a quick run, else {@code fullDefault}. */
    public int integer(String name, int fullDefault, int quickDefault) {
        String value = values.get(name);
        if (value != null) {
            return Integer.parseInt(value);
        }
        return quick ? quickDefault : fullDefault;
    }

    /** The repository root: where the packaged stack and worker are found. */
    public Path repoDir() {
        return repoDir;
    }
}
