package io.assetcost.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Summarises a Spark event log (what the Spark UI and history server show) per job group: wall seconds
 * from the first job's submission to the last job's end, jobs, stages, tasks, task seconds (summed over
 * cores), shuffle bytes written and records read from input. Used by {@code scripts/profile.sh} to say
 * where a run's time goes.
 *
 * <p>Usage: {@code EventLogSummary EVENT_LOG_FILE}; prints a Markdown table on stdout.
 */
public final class EventLogSummary {

    private EventLogSummary() {}

    private static final class Group {
        long firstSubmit = Long.MAX_VALUE;
        long lastEnd;
        int jobs;
        int stages;
        long tasks;
        long taskMillis;
        long shuffleWriteBytes;
        long inputRecords;
    }

    /**
     * Prints the summary.
     *
     * @param args the event log file
     * @throws IOException when it cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: EventLogSummary EVENT_LOG_FILE");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        Map<Integer, String> jobDescription = new LinkedHashMap<>();
        Map<Integer, String> stageJob = new LinkedHashMap<>();
        Map<String, Group> groups = new LinkedHashMap<>();
        long appStart = 0;
        long appEnd = 0;
        try (BufferedReader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode e = json.readTree(line);
                switch (e.path("Event").asText()) {
                    case "SparkListenerApplicationStart" ->
                        appStart = e.path("Timestamp").asLong();
                    case "SparkListenerApplicationEnd" ->
                        appEnd = e.path("Timestamp").asLong();
                    case "SparkListenerJobStart" -> {
                        int job = e.path("Job ID").asInt();
                        String d = e.path("Properties")
                                .path("spark.job.description")
                                .asText("");
                        if (d.isEmpty()) {
                            d = "(no description)";
                        }
                        jobDescription.put(job, d);
                        Group g = groups.computeIfAbsent(d, k -> new Group());
                        g.jobs++;
                        g.firstSubmit = Math.min(
                                g.firstSubmit, e.path("Submission Time").asLong());
                        for (JsonNode s : e.path("Stage IDs")) {
                            stageJob.put(s.asInt(), d);
                        }
                    }
                    case "SparkListenerJobEnd" -> {
                        Group g = groups.get(jobDescription.get(e.path("Job ID").asInt()));
                        if (g != null) {
                            g.lastEnd = Math.max(
                                    g.lastEnd, e.path("Completion Time").asLong());
                        }
                    }
                    case "SparkListenerStageCompleted" -> {
                        Group g = groups.get(stageJob.get(
                                e.path("Stage Info").path("Stage ID").asInt()));
                        if (g != null
                                && !e.path("Stage Info").path("Submission Time").isMissingNode()) {
                            g.stages++;
                        }
                    }
                    case "SparkListenerTaskEnd" -> {
                        Group g = groups.get(stageJob.get(e.path("Stage ID").asInt()));
                        if (g != null) {
                            JsonNode info = e.path("Task Info");
                            JsonNode metrics = e.path("Task Metrics");
                            g.tasks++;
                            g.taskMillis += info.path("Finish Time").asLong()
                                    - info.path("Launch Time").asLong();
                            g.shuffleWriteBytes += metrics.path("Shuffle Write Metrics")
                                    .path("Shuffle Bytes Written")
                                    .asLong();
                            g.inputRecords += metrics.path("Input Metrics")
                                    .path("Records Read")
                                    .asLong();
                        }
                    }
                    default -> {}
                }
            }
        }
        System.out.println(
                "| step (job description) | wall s | jobs | stages | tasks | task s | shuffle MiB | input records |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        long total = 0;
        for (Map.Entry<String, Group> en : groups.entrySet()) {
            Group g = en.getValue();
            long wall = g.lastEnd - g.firstSubmit;
            total += wall;
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %d | %d | %d | %.1f | %.1f | %d |%n",
                    en.getKey(),
                    wall / 1e3,
                    g.jobs,
                    g.stages,
                    g.tasks,
                    g.taskMillis / 1e3,
                    g.shuffleWriteBytes / 1048576.0,
                    g.inputRecords);
        }
        System.out.printf(
                Locale.ROOT, "%nin Spark jobs: %.1f s; application: %.1f s%n", total / 1e3, (appEnd - appStart) / 1e3);
    }
}
