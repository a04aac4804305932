package dev.spillway.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A plain-text table with aligned columns, the output format of every benchmark. */
public final class Table {

    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String title, String... header) {
        this.title = title;
        this.header = Arrays.asList(header);
    }

    /** Numbers are shown with two decimals (doubles) or as is; anything else by its string form. */
    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(Table::format).toList());
        return this;
    }

    private static String format(Object cell) {
        if (cell instanceof Double || cell instanceof Float) {
            return String.format(Locale.ROOT, "%.2f", ((Number) cell).doubleValue());
        }
        return String.valueOf(cell);
    }

    public void print(PrintStream out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println();
        out.println("## " + title);
        out.println(line(header, widths));
        StringBuilder rule = new StringBuilder("|");
        for (int width : widths) {
            rule.append("-".repeat(width + 2)).append('|');
        }
        out.println(rule);
        rows.forEach(row -> out.println(line(row, widths)));
        out.flush();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder("|");
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            line.append(' ').append(cell).append(" ".repeat(widths[i] - cell.length())).append(" |");
        }
        return line.toString();
    }
}
