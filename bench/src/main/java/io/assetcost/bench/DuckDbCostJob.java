package io.assetcost.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost pipeline as DuckDB SQL ({@code duckdb/pipeline.sql}), run through DuckDB's JDBC driver: the
 * benchmark's second, independent implementation of the README's "Inputs", "Pricing", "Outcomes" and
 * "Planning", and the check that the Spark job computes the same tables.
 *
 * <p>Reads the same inputs as the Spark job (usage as nested JSON Lines, flat CSV or flat Parquet, told
 * apart by extension; acceptance CSV; the job's embedded rate card and rate-limit card unless {@code --rates}
 * or {@code --rate-limits}; the job's bounds, {@code --attempt-cap} and {@code --account-tier}) and computes
 * every table the cost job writes from them: request_costs, asset_costs, cost_per_approved_asset, retry_waste,
 * request_outcomes, attempts, attempt_cap and rate_limit_headroom, written as Parquet under {@code --out}, and
 * the quarantine as counts by source and reason ({@code quarantine_counts.parquet}), plus
 * {@code duckdb_summary.json} with the seconds spent up to the original four tables and on the whole job. With
 * {@code --compare DIR} it reads the Spark job's tables from DIR and checks every table row by row (the
 * quarantine by its counts by source and reason) and the request costs' total, to the last decimal.
 *
 * <p>Differences from the Spark job, on purpose: no run summary, lock, windows or CSV files (this is a full
 * rebuild only); the quarantine's detail and raw text are not kept. Known simplifications, none of which the
 * sample or the generated data exercise: a JSON field of the wrong type is read as null (Spark quarantines the
 * line as malformed_record), as is a key given twice; copies of one request_id in one format are told apart by
 * a hash of their fields as received (a log line's contract fields only, not fields outside the contract or
 * key order); CSV columns are read by position, not header name; a CSV file that stops parsing is not one record.
 *
 * <p>Exit codes: 0 done (and, with --compare, the two agree); 1 the two disagree, or the run failed;
 * 2 bad options.
 */
public final class DuckDbCostJob {

    /** Columns of the nested usage log as DuckDB's JSON reader types them (schemas/usage_log.avsc). */
    static final Map<String, String> USAGE_LOG = new LinkedHashMap<>();
    /** Columns of the flat usage export (schemas/usage_export.avsc), for CSV read as text. */
    static final List<String> USAGE_EXPORT = List.of(
            "request_id",
            "created_at",
            "project_id",
            "workflow_id",
            "asset_id",
            "model",
            "endpoint",
            "service_tier",
            "status",
            "error_code",
            "n",
            "size",
            "quality",
            "input_text_tokens",
            "input_cached_text_tokens",
            "input_image_tokens",
            "input_cached_image_tokens",
            "output_image_tokens",
            "output_text_tokens");
    /** Typed flat export columns as in Parquet. */
    static final Map<String, String> USAGE_EXPORT_TYPES = new LinkedHashMap<>();
    /** Columns of acceptance records (schemas/acceptance_record.avsc). */
    static final List<String> ACCEPTANCE = List.of(
            "request_id", "image_index", "asset_id", "workflow_id", "decision", "decided_at", "reviewer_id", "reason");
    /**
     * The tables the Spark cost job writes from usage and decisions, written under --out and compared row by row
     * with --compare; the first four are the benchmark's original ones (timed apart, {@code four_tables_seconds}).
     */
    static final List<String> TABLES = List.of(
            "request_costs",
            "asset_costs",
            "cost_per_approved_asset",
            "retry_waste",
            "request_outcomes",
            "attempts",
            "attempt_cap",
            "rate_limit_headroom");
    /** How many of {@link #TABLES} are the original four. */
    static final int FOUR = 4;
    /** The line of pipeline.sql after which the original four tables are done. */
    static final String FOUR_TABLES_MARKER = "-- @four-tables";

    static {
        USAGE_LOG.put("request_id", "VARCHAR");
        USAGE_LOG.put("created", "BIGINT");
        for (String c : List.of(
                "project_id", "workflow_id", "asset_id", "model", "endpoint", "service_tier", "status", "error_code")) {
            USAGE_LOG.put(c, "VARCHAR");
        }
        USAGE_LOG.put("n", "INTEGER");
        USAGE_LOG.put("size", "VARCHAR");
        USAGE_LOG.put("quality", "VARCHAR");
        USAGE_LOG.put(
                "usage",
                "STRUCT(input_tokens BIGINT, total_tokens BIGINT, output_tokens BIGINT,"
                        + " input_tokens_details STRUCT(text_tokens BIGINT, image_tokens BIGINT),"
                        + " output_tokens_details STRUCT(image_tokens BIGINT, text_tokens BIGINT))");
        USAGE_LOG.put("input_cached_text_tokens", "BIGINT");
        USAGE_LOG.put("input_cached_image_tokens", "BIGINT");
        for (String c : USAGE_EXPORT) {
            USAGE_EXPORT_TYPES.put(
                    c,
                    c.equals("created_at")
                            ? "TIMESTAMPTZ"
                            : c.equals("n") ? "INTEGER" : c.endsWith("_tokens") ? "BIGINT" : "VARCHAR");
        }
    }

    private DuckDbCostJob() {}

    /** Options. */
    @Command(
            name = "assetcost-duckdb",
            mixinStandardHelpOptions = true,
            version = "assetcost 0.1.0",
            description = "The cost pipeline in DuckDB SQL: the benchmark's reference implementation.")
    public static final class Options {
        /** Usage input. */
        @Option(
                names = "--usage",
                required = true,
                paramLabel = "PATH",
                description = "Usage: a file or directory of .jsonl, .csv or .parquet.")
        public Path usage;

        /** Acceptance input. */
        @Option(
                names = "--acceptance",
                required = true,
                paramLabel = "PATH",
                description = "Acceptance records: a .csv file or a directory of them.")
        public Path acceptance;

        /** Rate card; null = the job's embedded default. */
        @Option(
                names = "--rates",
                paramLabel = "FILE",
                description = "Rate card CSV (default: the job's embedded card).")
        public Path rates;

        /** Rate-limit card; null = the job's embedded default. */
        @Option(
                names = "--rate-limits",
                paramLabel = "FILE",
                description = "Rate-limit card CSV (default: the job's embedded card), as the job's --rate-limits.")
        public Path rateLimits;

        /** The organization's usage tier, or null. */
        @Option(
                names = "--account-tier",
                paramLabel = "T",
                description = "Usage tier for rate_limit_headroom's minutes over it, as the job's --account-tier.")
        public Integer accountTier;

        /** Attempts per asset for attempt_cap. */
        @Option(
                names = "--attempt-cap",
                paramLabel = "N",
                description = "Attempts per asset for attempt_cap (default ${DEFAULT-VALUE}), as the job's option.")
        public int attemptCap = 5;

        /** Plausibility bound: tokens per meter. */
        @Option(
                names = "--max-tokens-per-meter",
                paramLabel = "N",
                description = "As the job's option (default ${DEFAULT-VALUE}).")
        public long maxTokensPerMeter = 5_000_000L;

        /** Plausibility bound: images per request. */
        @Option(
                names = "--max-images-per-request",
                paramLabel = "N",
                description = "As the job's option (default ${DEFAULT-VALUE}).")
        public int maxImagesPerRequest = 10;

        /** Plausibility bound: USD per request. */
        @Option(
                names = "--max-request-cost-usd",
                paramLabel = "USD",
                description = "As the job's option (default ${DEFAULT-VALUE}).")
        public BigDecimal maxRequestCostUsd = new BigDecimal("100");

        /** Output directory. */
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (replaced).")
        public Path out;

        /** A Spark job's output to compare with. */
        @Option(
                names = "--compare",
                paramLabel = "DIR",
                description = "The Spark job's output directory: check both reports row by row and the total cost.")
        public Path compare;

        /**
         * Columns left out of the comparison: the lineage of a row that says where it was read, not what it
         * is. For a Spark run on another tool's export compared with this job on a JSON Lines twin of the
         * same requests (scripts/bench.sh), {@code source_file} names different files by design.
         */
        @Option(
                names = "--compare-ignore",
                split = ",",
                paramLabel = "COLUMN",
                description = "With --compare: columns not compared (source_file when Spark read another file"
                        + " of the same requests).")
        public List<String> compareIgnore = new ArrayList<>();

        /** DuckDB threads. */
        @Option(
                names = "--threads",
                defaultValue = "2",
                paramLabel = "T",
                description = "DuckDB threads (default ${DEFAULT-VALUE}).")
        public int threads;

        /** DuckDB memory limit. */
        @Option(
                names = "--memory-limit",
                defaultValue = "4GB",
                paramLabel = "M",
                description = "DuckDB memory_limit (default ${DEFAULT-VALUE}).")
        public String memoryLimit;
    }

    /**
     * Runs and exits with the code.
     *
     * @param args see {@link Options}
     */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs without exiting.
     *
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        Options o = new Options();
        CommandLine cli = new CommandLine(o);
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (parsed.isUsageHelpRequested()) {
                cli.usage(out);
                return 0;
            }
        } catch (CommandLine.ParameterException e) {
            err.println("assetcost-duckdb: " + e.getMessage() + " (see --help)");
            return 2;
        }
        try {
            Result r = run(o);
            out.println(r.line());
            return r.agree() == Boolean.FALSE ? 1 : 0;
        } catch (IllegalArgumentException e) {
            err.println("assetcost-duckdb: " + e.getMessage());
            return 2;
        } catch (SQLException | IOException | RuntimeException e) {
            e.printStackTrace(err);
            err.println("assetcost-duckdb: run failed: " + e.getMessage());
            return 1;
        }
    }

    /**
     * What a run found.
     *
     * @param counts row counts and totals, in the order written to duckdb_summary.json
     * @param agree null without --compare, else whether both implementations agree
     * @param differences what disagrees (empty when they agree)
     */
    public record Result(Map<String, Object> counts, Boolean agree, List<String> differences) {
        /** One line for the console. */
        public String line() {
            return "assetcost-duckdb: " + counts
                    + (agree == null
                            ? ""
                            : agree
                                    ? "; agrees with Spark"
                                    : "; DISAGREES with Spark: " + String.join("; ", differences));
        }
    }

    /**
     * Runs the pipeline.
     *
     * @param o options
     * @return counts, totals and the comparison
     * @throws SQLException when DuckDB fails
     * @throws IOException when a file cannot be listed or written
     * @throws IllegalArgumentException when an input path holds no usable file
     */
    public static Result run(Options o) throws SQLException, IOException {
        Map<String, List<String>> usage = list(o.usage);
        List<String> acceptance = list(o.acceptance).getOrDefault("csv", List.of());
        if (usage.isEmpty()) {
            throw new IllegalArgumentException("--usage " + o.usage + " holds no .jsonl, .csv or .parquet file");
        }
        if (acceptance.isEmpty()) {
            throw new IllegalArgumentException("--acceptance " + o.acceptance + " holds no .csv file");
        }
        deleteTree(o.out);
        Files.createDirectories(o.out);
        Path card = o.rates != null ? o.rates : embedded(o.out, "default-rate-card.csv");
        Path limits = o.rateLimits != null ? o.rateLimits : embedded(o.out, "default-rate-limits.csv");
        String script = resource("duckdb/pipeline.sql");
        int marker = script.indexOf(FOUR_TABLES_MARKER);
        if (marker < 0) {
            throw new IllegalStateException("pipeline.sql lacks the line " + FOUR_TABLES_MARKER);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            s.execute("SET threads = " + o.threads);
            s.execute("SET memory_limit = '" + o.memoryLimit + "'");
            s.execute(
                    "SET temp_directory = " + quote(o.out.resolve(".duckdb-tmp").toString()));
            s.execute("SET preserve_insertion_order = false");
            long start = System.nanoTime();
            createInputs(s, usage, acceptance, card, limits);
            createParameters(s, o);
            for (String statement : statements(script.substring(0, marker))) {
                s.execute(statement);
            }
            write(s, o.out, TABLES.subList(0, FOUR));
            long four = System.nanoTime() - start;
            for (String statement : statements(script.substring(marker))) {
                s.execute(statement);
            }
            write(s, o.out, TABLES.subList(FOUR, TABLES.size()));
            s.execute("COPY quarantine_counts TO "
                    + quote(o.out.resolve("quarantine_counts.parquet").toString()) + " (FORMAT parquet)");
            long whole = System.nanoTime() - start;
            Map<String, Object> counts = counts(s);
            counts.put("four_tables_seconds", seconds(four));
            counts.put("whole_job_seconds", seconds(whole));
            Boolean agree = null;
            List<String> differences = new ArrayList<>();
            if (o.compare != null) {
                differences = compare(s, o.compare, (BigDecimal) counts.get("total_cost_usd"), o.compareIgnore);
                agree = differences.isEmpty();
                counts.put("agrees_with_spark", agree);
            }
            writeSummary(o.out.resolve("duckdb_summary.json"), counts, differences);
            deleteTree(o.out.resolve(".duckdb-tmp"));
            return new Result(counts, agree, differences);
        }
    }

    private static void write(Statement s, Path out, List<String> tables) throws SQLException {
        for (String table : tables) {
            s.execute("COPY " + table + " TO "
                    + quote(out.resolve(table + ".parquet").toString()) + " (FORMAT parquet)");
        }
    }

    /** Nanoseconds as seconds, 3 places: a JSON number in the summary (bench.sh reads it). */
    private static double seconds(long nanos) {
        return Math.round(nanos / 1_000_000.0) / 1000.0;
    }

    private static void createInputs(
            Statement s, Map<String, List<String>> usage, List<String> acceptance, Path card, Path limits)
            throws SQLException {
        createJsonLines(s, usage.get("jsonl"));
        StringBuilder parquetColumns = new StringBuilder();
        StringBuilder parquetStub = new StringBuilder();
        for (Map.Entry<String, String> e : USAGE_EXPORT_TYPES.entrySet()) {
            parquetColumns.append(parquetColumns.length() == 0 ? "" : ", ").append(e.getKey());
            parquetStub
                    .append(parquetStub.length() == 0 ? "" : ", ")
                    .append("NULL::")
                    .append(e.getValue())
                    .append(" AS ")
                    .append(e.getKey());
        }
        s.execute("CREATE TEMP VIEW usage_parquet_raw AS "
                + (usage.containsKey("parquet")
                        ? "SELECT " + parquetColumns + ", 'file:' || filename AS source_file, hash({"
                                + structOf(USAGE_EXPORT) + "}) AS raw_row FROM read_parquet("
                                + list(usage.get("parquet")) + ", hive_partitioning = false, filename = true)"
                        : "SELECT " + parquetStub + ", NULL::VARCHAR AS source_file, NULL::UBIGINT AS raw_row"
                                + " LIMIT 0"));
        s.execute("CREATE TEMP VIEW usage_csv_raw AS "
                + (usage.containsKey("csv")
                        ? "SELECT * EXCLUDE (filename), 'file:' || filename AS source_file, hash({"
                                + structOf(USAGE_EXPORT) + "}) AS raw_row FROM ("
                                + textCsv(usage.get("csv"), USAGE_EXPORT, true)
                                + ")"
                        : stub(USAGE_EXPORT)
                                .replace(
                                        " LIMIT 0",
                                        ", NULL::VARCHAR AS source_file," + " NULL::UBIGINT AS raw_row LIMIT 0")));
        s.execute("CREATE TEMP VIEW acceptance_raw AS " + textCsv(acceptance, ACCEPTANCE));
        s.execute("CREATE TEMP VIEW rate_card_raw AS SELECT * FROM read_csv(" + quote(card.toString())
                + ", header = true, all_varchar = true)");
        s.execute("CREATE TEMP VIEW rate_limit_card_raw AS SELECT * FROM read_csv(" + quote(limits.toString())
                + ", header = true, all_varchar = true)");
    }

    /** The view usage_json_raw over the usage log files (none: an empty view of the same columns). */
    private static void createJsonLines(Statement s, List<String> files) throws SQLException {
        StringBuilder jsonType = new StringBuilder();
        StringBuilder jsonStub = new StringBuilder();
        for (Map.Entry<String, String> e : USAGE_LOG.entrySet()) {
            jsonType.append(jsonType.length() == 0 ? "" : ", ")
                    .append('"')
                    .append(e.getKey())
                    .append("\" ")
                    .append(e.getValue());
            jsonStub.append(jsonStub.length() == 0 ? "" : ", ")
                    .append("NULL::")
                    .append(e.getValue())
                    .append(" AS ")
                    .append('"')
                    .append(e.getKey())
                    .append('"');
        }
        // A usage log is read line by line as text, as the Spark job reads it: a line that is not one JSON
        // object is a record (malformed_record), a blank line is skipped.
        s.execute("CREATE TEMP VIEW usage_json_raw AS "
                + (files != null
                        ? "SELECT unnest(j), is_object, source_file, hash(j) AS raw_row FROM (SELECT"
                                + " coalesce(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' END, false)"
                                + " AS is_object,"
                                + " CASE WHEN json_valid(line) THEN TRY_CAST(CAST(line AS JSON) AS STRUCT(" + jsonType
                                + ")) END AS j,"
                                + " 'file:' || filename AS source_file FROM read_csv(" + list(files)
                                + ", columns = {'line': 'VARCHAR'}, delim = chr(0), quote = '', escape = '',"
                                + " header = false, auto_detect = false, strict_mode = false, filename = true)"
                                + " WHERE trim(line, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) <> '')"
                        : "SELECT " + jsonStub + ", true AS is_object, NULL::VARCHAR AS source_file,"
                                + " NULL::UBIGINT AS raw_row LIMIT 0"));
    }

    /** The job's options the SQL reads, as macros. */
    private static void createParameters(Statement s, Options o) throws SQLException {
        s.execute("CREATE MACRO max_tokens_per_meter() AS CAST(" + o.maxTokensPerMeter + " AS BIGINT)");
        s.execute("CREATE MACRO max_images_per_request() AS CAST(" + o.maxImagesPerRequest + " AS INTEGER)");
        s.execute("CREATE MACRO max_request_cost_usd() AS CAST(" + o.maxRequestCostUsd.toPlainString()
                + " AS DECIMAL(38,12))");
        s.execute("CREATE MACRO attempt_cap() AS CAST(" + o.attemptCap + " AS INTEGER)");
        s.execute("CREATE MACRO account_tier() AS CAST(" + (o.accountTier == null ? "NULL" : o.accountTier)
                + " AS INTEGER)");
    }

    /** A struct literal of columns by name: {@code 'a': "a", ...}. */
    private static String structOf(List<String> columns) {
        StringBuilder b = new StringBuilder();
        for (String c : columns) {
            b.append(b.length() == 0 ? "" : ", ")
                    .append(quote(c))
                    .append(": \"")
                    .append(c)
                    .append('"');
        }
        return b.toString();
    }

    /** CSV files with a header, every column read as text (an empty cell is null). */
    private static String textCsv(List<String> files, List<String> columns) {
        return textCsv(files, columns, false);
    }

    /** {@link #textCsv(List, List)}, with the file's path as {@code filename} when asked. */
    private static String textCsv(List<String> files, List<String> columns, boolean withFile) {
        StringBuilder cols = new StringBuilder();
        for (String c : columns) {
            cols.append(cols.length() == 0 ? "" : ", ").append(quote(c)).append(": 'VARCHAR'");
        }
        return "SELECT * FROM read_csv(" + list(files) + ", header = true, auto_detect = false, delim = ',',"
                + " quote = '\"', escape = '\"', columns = {" + cols + "}" + (withFile ? ", filename = true" : "")
                + ")";
    }

    private static String stub(List<String> columns) {
        StringBuilder b = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            b.append(i == 0 ? "" : ", ").append("NULL::VARCHAR AS ").append(columns.get(i));
        }
        return b.append(" LIMIT 0").toString();
    }

    private static Map<String, Object> counts(Statement s) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage_rows_read", one(s, "SELECT count(*) FROM usage_checked"));
        m.put("requests_priced", one(s, "SELECT count(*) FROM request_costs"));
        m.put(
                "usage_quarantined",
                one(s, "SELECT coalesce(sum(records), 0) FROM quarantine_counts WHERE source = 'usage'"));
        m.put("acceptance_records_read", one(s, "SELECT count(*) FROM acceptance_checked"));
        m.put("decisions_used", one(s, "SELECT count(*) FROM decisions"));
        m.put(
                "acceptance_quarantined",
                one(s, "SELECT coalesce(sum(records), 0) FROM quarantine_counts WHERE source = 'acceptance'"));
        m.put("assets", one(s, "SELECT count(*) FROM asset_costs"));
        try (ResultSet r = s.executeQuery("SELECT sum(cost_usd) FROM request_costs")) {
            r.next();
            BigDecimal total = r.getBigDecimal(1);
            m.put("total_cost_usd", total == null ? BigDecimal.ZERO.setScale(12) : total.setScale(12));
        }
        for (String table : TABLES.subList(2, TABLES.size())) {
            m.put(table + "_rows", one(s, "SELECT count(*) FROM " + table));
        }
        return m;
    }

    /**
     * Compares every table row by row (EXCEPT ALL both ways), the quarantine as counts by source and reason, and
     * the request costs' total.
     */
    static List<String> compare(Statement s, Path sparkOut, BigDecimal total) throws SQLException {
        return compare(s, sparkOut, total, List.of());
    }

    /**
     * As {@link #compare(Statement, Path, BigDecimal)}, leaving the named columns out of every table.
     *
     * @param ignore column names not compared (absent ones are fine)
     */
    static List<String> compare(Statement s, Path sparkOut, BigDecimal total, List<String> ignore) throws SQLException {
        List<String> diffs = new ArrayList<>();
        for (String table : TABLES) {
            diffs.addAll(compareTable(s, sparkOut, table, table, null, ignore));
        }
        diffs.addAll(compareTable(
                s,
                sparkOut,
                "quarantine",
                "quarantine_counts",
                "SELECT source, reason, count(*) AS records FROM spark_quarantine_rows GROUP BY ALL",
                ignore));
        String costs = sparkOut.resolve("request_costs")
                .resolve("**")
                .resolve("*.parquet")
                .toString();
        try (ResultSet r = s.executeQuery(
                "SELECT sum(cost_usd) FROM read_parquet(" + quote(costs) + ", hive_partitioning = false)")) {
            r.next();
            BigDecimal spark = r.getBigDecimal(1) == null ? BigDecimal.ZERO : r.getBigDecimal(1);
            if (spark.compareTo(total) != 0) {
                diffs.add("total cost: DuckDB " + total.toPlainString() + ", Spark " + spark.toPlainString());
            }
        }
        return diffs;
    }

    /**
     * One table of the Spark output (read with its partition column, typed as DuckDB's) against DuckDB's.
     *
     * @param sparkTable the table's directory under sparkOut
     * @param duckTable DuckDB's table
     * @param derive null to compare the Spark rows as read; else a query over {@code spark_<table>_rows} that
     *     derives what is compared with duckTable
     * @param ignore columns left out
     */
    private static List<String> compareTable(
            Statement s, Path sparkOut, String sparkTable, String duckTable, String derive, List<String> ignore)
            throws SQLException {
        List<String> cols = new ArrayList<>();
        List<String> casts = new ArrayList<>();
        try (ResultSet r = s.executeQuery("DESCRIBE " + duckTable)) {
            while (r.next()) {
                if (ignore.contains(r.getString(1))) {
                    continue;
                }
                cols.add('"' + r.getString(1) + '"');
                casts.add("CAST(\"" + r.getString(1) + "\" AS " + r.getString(2) + ") AS \"" + r.getString(1) + "\"");
            }
        }
        Path dir = sparkOut.resolve(sparkTable);
        if (!Files.isDirectory(dir)) {
            return List.of(sparkTable + ": not in the Spark output " + sparkOut);
        }
        String partition = null;
        try (Stream<Path> list = Files.list(dir)) {
            partition = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("="))
                    .map(n -> n.substring(0, n.indexOf('=')))
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String glob = dir.resolve("**").resolve("*.parquet").toString();
        String read = "read_parquet(" + quote(glob)
                + (partition == null
                        ? ", hive_partitioning = false)"
                        : ", hive_partitioning = true, hive_types = {'" + partition + "': DATE})");
        String spark = "spark_" + sparkTable;
        if (derive == null) {
            s.execute("CREATE OR REPLACE TEMP VIEW " + spark + " AS SELECT " + String.join(", ", casts) + " FROM "
                    + read);
        } else {
            s.execute("CREATE OR REPLACE TEMP VIEW " + spark + "_rows AS SELECT * FROM " + read);
            s.execute("CREATE OR REPLACE TEMP VIEW " + spark + " AS SELECT " + String.join(", ", casts) + " FROM ("
                    + derive + ")");
        }
        String select = String.join(", ", cols);
        long onlyDuck = one(
                s,
                "SELECT count(*) FROM (SELECT " + select + " FROM " + duckTable + " EXCEPT ALL SELECT " + select
                        + " FROM " + spark + ")");
        long onlySpark = one(
                s,
                "SELECT count(*) FROM (SELECT " + select + " FROM " + spark + " EXCEPT ALL SELECT " + select + " FROM "
                        + duckTable + ")");
        if (onlyDuck + onlySpark == 0) {
            return List.of();
        }
        String example = examples(s, select, duckTable, spark, cols.size());
        return List.of(
                sparkTable + ": " + onlyDuck + " rows only in DuckDB, " + onlySpark + " only in Spark" + example);
    }

    /** Up to four rows that differ, each side's, for the message. */
    private static String examples(Statement s, String select, String duckTable, String spark, int columns)
            throws SQLException {
        StringBuilder example = new StringBuilder();
        try (ResultSet r = s.executeQuery("(SELECT 'duckdb' AS side, " + select + " FROM " + duckTable
                + " EXCEPT ALL SELECT 'duckdb', " + select + " FROM " + spark + ") UNION ALL (SELECT 'spark', "
                + select + " FROM " + spark + " EXCEPT ALL SELECT 'spark', " + select + " FROM " + duckTable
                + ") ORDER BY 2, 3, 1 LIMIT 4")) {
            while (r.next()) {
                List<String> v = new ArrayList<>();
                for (int i = 1; i <= columns + 1; i++) {
                    v.add(r.getString(i));
                }
                example.append(" | ").append(String.join(",", v));
            }
        }
        return example.toString();
    }

    private static long one(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Input files under a path by kind (jsonl, csv, parquet), sorted; hidden and _-prefixed names skipped. */
    static Map<String, List<String>> list(Path root) throws IOException {
        if (!Files.exists(root)) {
            throw new IllegalArgumentException(root + " does not exist");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                Path rel = root.relativize(p);
                boolean hidden = false;
                for (Path part : rel) {
                    hidden |= part.toString().startsWith(".") || part.toString().startsWith("_");
                }
                if (hidden) {
                    continue;
                }
                String name =
                        p.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("\\.(gz|zst)$", "");
                String kind = name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")
                        ? "jsonl"
                        : name.endsWith(".csv") ? "csv" : name.endsWith(".parquet") ? "parquet" : null;
                if (kind == null) {
                    throw new IllegalArgumentException(p + " is not .jsonl, .csv or .parquet");
                }
                out.computeIfAbsent(kind, k -> new ArrayList<>())
                        .add(p.toAbsolutePath().toString());
            }
        }
        return out;
    }

    private static String list(List<String> files) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < files.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(quote(files.get(i)));
        }
        return b.append(']').toString();
    }

    static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DuckDbCostJob.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One of the job's embedded cards ({@code assetcost/NAME} on the class path), written under dir. */
    private static Path embedded(Path dir, String name) throws IOException {
        Path card = dir.resolve(name);
        Files.writeString(card, resource("assetcost/" + name));
        return card;
    }

    /** SQL statements of a script: each ends with ';' at the end of a line; '--' comment lines dropped. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                out.add(current.toString().strip().replaceAll(";$", ""));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static void writeSummary(Path file, Map<String, Object> counts, List<String> differences)
            throws IOException {
        StringBuilder b = new StringBuilder("{\n");
        for (Map.Entry<String, Object> e : counts.entrySet()) {
            Object v = e.getValue();
            String value = v instanceof BigDecimal d ? "\"" + d.toPlainString() + "\"" : String.valueOf(v);
            b.append("  \"").append(e.getKey()).append("\": ").append(value).append(",\n");
        }
        b.append("  \"differences\": [");
        for (int i = 0; i < differences.size(); i++) {
            b.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(differences.get(i).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        b.append("]\n}\n");
        Files.writeString(file, b.toString());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
