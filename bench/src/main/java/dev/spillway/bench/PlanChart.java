package dev.spillway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.spillway.capacity.sim.PlanResult;
import dev.spillway.capacity.sim.Timeline;

/**
 * The plan as a self-contained HTML page (or, for a file named {@code .svg}, one SVG image that a Markdown page can
 * show): panels of arrivals, backlog, fleet size, queue wait and intake concurrency over time, one colour per policy.
 * No script and nothing fetched, so it opens from disk anywhere.
 */
final class PlanChart {

    private static final String[] COLOURS = {"#1f6fb4", "#d1495b", "#2a9d55", "#8e5cc2", "#e08e0b"};
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 210;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 28;
    private static final int BOTTOM = 34;

    /** One line of a panel. */
    record Series(String label, String colour, double[] values, boolean dashed, double width) {
    }

    /** One chart as an {@code <svg>} element, and how tall it is. */
    private record Panel(String markup, int height) {
    }

    private PlanChart() {
    }

    static void write(Path file, PlanReport report) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String name = file.getFileName().toString();
        Files.writeString(file, name.endsWith(".svg") ? svg(report) : html(report), StandardCharsets.UTF_8);
    }

    static String html(PlanReport report) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape("Spillway plan: " + report.workload.name())).append("</title>\n<style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1040px}")
                .append("pre{background:#f5f5f5;padding:8px 12px;white-space:pre-wrap}")
                .append("svg{display:block;margin:8px 0 18px}text{font:12px system-ui,sans-serif;fill:#333}")
                .append(".title{font-weight:600;font-size:13px}</style></head><body>\n")
                .append("<h1>").append(escape("Capacity plan: " + report.workload.name())).append("</h1>\n<pre>");
        for (String line : report.lastLines()) {
            page.append(escape(line)).append('\n');
        }
        page.append("</pre>\n<p>One colour per policy; minute by minute, hours from the start of the workload. ")
                .append("Simulated by <code>bench/run plan</code> (docs/capacity.md).</p>\n");
        panels(report).forEach(panel -> page.append(panel.markup()));
        return page.append("</body></html>\n").toString();
    }

    /** The same panels stacked in one SVG image, the last lines above them. */
    static String svg(PlanReport report) {
        List<String> lines = report.lastLines();
        List<Panel> panels = panels(report);
        StringBuilder body = new StringBuilder();
        int y = 8;
        for (String line : lines) {
            y += 18;
            body.append("<text x=\"").append(LEFT).append("\" y=\"").append(y).append("\" class=\"title\">")
                    .append(escape(line)).append("</text>\n");
        }
        y += 12;
        for (Panel panel : panels) {
            body.append(panel.markup().replaceFirst("^<svg ", "<svg y=\"" + y + "\" "));
            y += panel.height() + 8;
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + y + "\">\n"
                + "<style>text{font:12px sans-serif;fill:#333}.title{font-weight:600;font-size:13px}</style>\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
    }

    private static List<Panel> panels(PlanReport report) {
        List<PlanResult> results = report.results;
        int points = results.stream().mapToInt(r -> r.timeline().size()).max().orElse(0);
        double hours = points * Timeline.STEP_SECONDS / 3600;
        Timeline first = results.get(0).timeline();

        List<Series> traffic = List.of(
                new Series("arrivals at the API", "#555555", first.arrivalsPerSecond(), false, 1.5),
                new Series("spilled to the queue", "#e08e0b", first.spilledPerSecond(), false, 1.5));
        List<Series> backlog = new ArrayList<>();
        List<Series> tasks = new ArrayList<>();
        List<Series> waits = new ArrayList<>();
        List<Series> intake = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            PlanResult result = results.get(i);
            Timeline timeline = result.timeline();
            String colour = COLOURS[i % COLOURS.length];
            String policy = result.policy();
            backlog.add(new Series(policy + ": visible", colour, ints(timeline.visible()), false, 1.8));
            backlog.add(new Series(policy + ": in flight", colour, ints(timeline.inFlight()), true, 1));
            tasks.add(new Series(policy + ": serving", colour, ints(timeline.serving()), false, 1.8));
            tasks.add(new Series(policy + ": desired", colour, ints(timeline.desired()), true, 1));
            waits.add(new Series(policy + ": p99", colour, timeline.waitP99(), false, 1.8));
            waits.add(new Series(policy + ": p50", colour, timeline.waitP50(), true, 1));
            intake.add(new Series(policy, colour, ints(timeline.intakeConcurrency()), false, 1.5));
        }

        return List.of(
                panel("Requests per second (minute averages)", traffic, false, hours),
                panel("Backlog: visible messages (solid) and messages in flight at workers (dashed)", backlog, false,
                        hours),
                panel("Worker tasks: serving (solid) and desired (dashed)", tasks, false, hours),
                panel("Queue wait of the jobs accepted each minute, seconds, log scale: p99 (solid), p50 (dashed)",
                        waits, true, hours),
                panel("Intake concurrency: most functions busy at once in the minute", intake, false, hours));
    }

    private static Panel panel(String title, List<Series> series, boolean log, double hours) {
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double floor = 0.01;
        double tickStep = nice(max / 4);
        double top = log ? Math.pow(10, Math.max(1, Math.ceil(Math.log10(Math.max(max, floor)))))
                : tickStep * Math.max(1, Math.ceil(max / tickStep));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double xSpan = Math.max(hours, 1.0 / 60);
        int height = HEIGHT + 16 * ((series.size() + 3) / 4);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"")
                .append(escape(title)).append("\">\n<text class=\"title\" x=\"").append(LEFT).append("\" y=\"16\">")
                .append(escape(title)).append("</text>\n");
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#bbb\"/>%n", LEFT, TOP, plotWidth, plotHeight));
        List<Double> yTicks = new ArrayList<>();
        if (log) {
            for (double t = floor; t <= top * 1.0001; t *= 10) {
                yTicks.add(t);
            }
        } else {
            for (double t = 0; t <= top + tickStep / 2; t += tickStep) {
                yTicks.add(t);
            }
        }
        for (double tick : yTicks) {
            double y = y(tick, top, floor, log, plotHeight);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, LEFT + plotWidth, y, y,
                    LEFT - 6, y + 4, label(tick)));
        }
        double step = xSpan <= 2 ? 0.25 : xSpan <= 8 ? 1 : xSpan <= 30 ? 3 : 6;
        for (double h = 0; h <= xSpan + 1e-9; h += step) {
            double x = LEFT + plotWidth * h / xSpan;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s h</text>%n", x, x, TOP, TOP + plotHeight,
                    x, TOP + plotHeight + 16, label(h)));
        }
        for (Series s : series) {
            for (String points : polylines(s.values(), top, floor, log, xSpan, plotWidth, plotHeight)) {
                svg.append("<polyline fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"")
                        .append(s.width()).append('"').append(s.dashed() ? " stroke-dasharray=\"5 3\"" : "")
                        .append(" points=\"").append(points).append("\"/>\n");
            }
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int x = LEFT + (i % 4) * 230;
            int y = HEIGHT + 16 * (i / 4) - 2;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                            + "stroke-width=\"%.1f\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n", x, x + 22, y - 4, y - 4,
                    s.colour(), s.width(), s.dashed() ? " stroke-dasharray=\"5 3\"" : "", x + 28, y,
                    escape(s.label())));
        }
        return new Panel(svg.append("</svg>\n").toString(), height);
    }

    /** One polyline per stretch of defined values: a minute without jobs has no wait and breaks the line. */
    private static List<String> polylines(double[] values, double top, double floor, boolean log, double xSpan,
            int plotWidth, int plotHeight) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                if (current.length() > 0) {
                    lines.add(current.toString());
                    current.setLength(0);
                }
                continue;
            }
            double hours = (i + 1) * Timeline.STEP_SECONDS / 3600;
            double x = LEFT + plotWidth * hours / xSpan;
            current.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(values[i], top, floor, log, plotHeight)));
        }
        if (current.length() > 0) {
            lines.add(current.toString());
        }
        return lines;
    }

    private static double y(double value, double top, double floor, boolean log, int plotHeight) {
        double share;
        if (log) {
            double clamped = Math.max(value, floor);
            share = (Math.log10(clamped) - Math.log10(floor)) / (Math.log10(top) - Math.log10(floor));
        } else {
            share = top == 0 ? 0 : value / top;
        }
        return TOP + plotHeight * (1 - Math.min(1, share));
    }

    /** The smallest of 1, 2, 5 times a power of ten at or above {@code max}, and at least 1 (counts are whole). */
    static double nice(double max) {
        if (max <= 1) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * magnitude >= max) {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double value) {
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,d", (long) value);
        }
        return String.format(Locale.ROOT, value < 1 ? "%.2f" : "%.1f", value);
    }

    private static double[] ints(int[] values) {
        return Arrays.stream(values).asDoubleStream().toArray();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
