package dev.spillway.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options: {@code --quick} shrinks every workload to a smoke run (what CI runs: it proves the
 * command works, its figures mean little), {@code --NAME VALUE} overrides one parameter of the benchmark, and
 * {@code --NAME} with no value (last, or followed by another option) switches something on.
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
            } else if (arg.startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(arg.substring(2), args[++i]);
            } else if (arg.startsWith("--") && arg.length() > 2) {
                values.put(arg.substring(2), "true");
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

    /** The value of {@code --name}, else {@code fallback}. */
    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The value of {@code --name} as a number, else {@code fallback}. */
    public double decimal(String name, double fallback) {
        String value = values.get(name);
        return value == null ? fallback : Double.parseDouble(value);
    }

    /** Whether {@code --name} was given without a value (or with {@code true}). */
    public boolean flag(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    /** The repository root: where the packaged stack and worker are found. */
    public Path repoDir() {
        return repoDir;
    }
}
